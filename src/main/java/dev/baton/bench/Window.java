package dev.baton.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * One measured stretch of a bench: wall time, CPU (Baton's JVM and the database server's processes), the JIT
 * compiler's time, the statements Baton's pool ran, the bytes the database wrote and the heap, from {@link #open} to
 * {@link #close}.
 */
final class Window {
    /**
     * What a window measured; CPU in nanoseconds, {@code jitMillis} the elapsed time the JIT's compilations took
     * meanwhile (their CPU is part of the JVM's), bytes as the database counts them.
     */
    record Measured(
            double seconds,
            long jvmCpu,
            long serverCpu,
            long jitMillis,
            SqlCount.Totals sql,
            long bytes,
            HeapWatch.Peaks heap) {
        long cpu() {
            return jvmCpu + serverCpu;
        }
    }

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private final BenchStack stack;
    private final long bytes0;
    private final SqlCount.Totals sql0;
    private final HeapWatch heap;
    private final long serverCpu0;
    private final long jvmCpu0;
    private final long jit0;
    private final long t0;

    private Window(BenchStack stack) throws Exception {
        this.stack = stack;
        // The database is asked before the statement count starts and after it ends: these reads are not counted.
        this.bytes0 = stack.bytesWritten();
        this.sql0 = stack.sql.totals();
        this.heap = HeapWatch.start();
        this.serverCpu0 = stack.serverCpuNanos();
        this.jvmCpu0 = OS.getProcessCpuTime();
        this.jit0 = jitMillis();
        this.t0 = System.nanoTime();
    }

    static Window open(BenchStack stack) throws Exception {
        return new Window(stack);
    }

    Measured close() throws Exception {
        double seconds = (System.nanoTime() - t0) / 1e9;
        long jvmCpu = OS.getProcessCpuTime() - jvmCpu0;
        long jit = jitMillis() - jit0;
        long serverCpu = stack.serverCpuNanos() - serverCpu0;
        SqlCount.Totals sql = stack.sql.totals().minus(sql0);
        HeapWatch.Peaks peaks = heap.stop();
        long bytes = stack.bytesWritten() - bytes0;
        return new Measured(seconds, jvmCpu, serverCpu, jit, sql, bytes, peaks);
    }

    /**
     * The JIT compilers' accumulated time since the JVM started, in milliseconds (0 where the JVM does not say):
     * elapsed time summed over the compiler threads, so at most about their CPU when they wait for a core.
     */
    private static long jitMillis() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }
}
