package dev.baton.bench;

import java.io.PrintWriter;

/** Prints a bench's figures, one a line (a label, the figure, and a note in brackets), and the legend to them. */
final class BenchFigures {
    private final PrintWriter out;

    BenchFigures(PrintWriter out) {
        this.out = out;
    }

    void line(String label, String figure, String note) {
        out.printf("  %-20s %s%s%n", label, figure, note.isEmpty() ? "" : "  (" + note + ")");
        out.flush();
    }

    /** CPU, statements, rows and bytes written per unit of work (a hop, an item, a raw round trip). */
    void perUnit(String unit, Window.Measured m, long units, BenchStack stack) {
        double n = units;
        line(
                "CPU per " + unit,
                "%.3f ms".formatted(m.cpu() / 1e6 / n),
                m.serverCpu() == 0 && stack.database.startsWith("H2")
                        ? "Baton's JVM: engine, broker, demo agents and H2"
                        : "Baton's JVM %.3f + the PostgreSQL server's processes %.3f"
                                .formatted(m.jvmCpu() / 1e6 / n, m.serverCpu() / 1e6 / n));
        line(
                "JIT per " + unit,
                "%.3f ms".formatted(m.jitMillis() / n),
                "the JIT compilers' elapsed time meanwhile, at most about their CPU, which the JVM's includes");
        SqlCount.Totals s = m.sql();
        SqlCount.Kinds k = s.statements();
        line(
                "SQL per " + unit,
                "%.1f statements".formatted(s.statementCount() / n),
                "%.1f SELECT, %.1f INSERT, %.1f UPDATE, %.1f DELETE, %.1f other; %.1f JDBC executions, %.1f commits, %.1f rollbacks"
                        .formatted(
                                k.select() / n,
                                k.insert() / n,
                                k.update() / n,
                                k.delete() / n,
                                k.other() / n,
                                s.executions() / n,
                                s.commits() / n,
                                s.rollbacks() / n));
        SqlCount.Kinds r = s.rows();
        line(
                "rows per " + unit,
                "%.1f written".formatted(r.sum() / n),
                "%.1f inserted, %.1f updated, %.1f deleted, %.1f by other statements"
                        .formatted(r.insert() / n, r.update() / n, r.delete() / n, r.other() / n));
        line("bytes per " + unit, "%.0f".formatted(m.bytes() / n), stack.bytesSource());
    }

    void heap(Window.Measured m) {
        long mib = 1024 * 1024;
        line(
                "peak heap",
                "%d MiB".formatted(m.heap().used() / mib),
                "sum of the heap pools' peaks, garbage included; max %d MiB"
                        .formatted(Runtime.getRuntime().maxMemory() / mib));
        line(
                "heap after GC",
                "%d MiB".formatted(m.heap().afterGc() / mib),
                "the most any collection left while measuring, or a full one at its end");
    }

    void legend(boolean forEach) {
        out.println("legend (all figures are over the measured window, after the warm-up):");
        out.println(
                forEach
                        ? "  item      one ticket of the for_each: dispatched, answered by a demo agent, its reply applied"
                        : "  hop       one stage of a run: its ticket dispatched, answered by a demo agent, its reply applied;"
                                + " latency is QUEUED of one stage to QUEUED of the next (ticket_history)");
        out.println("  CPU       process CPU time: Baton's JVM (engine, broker, demo agents, H2 when it is the store)"
                + " plus, on PostgreSQL, the server's processes");
        out.println("  JIT       the JVM's JIT compilers' elapsed time while measuring (CompilationMXBean), summed over"
                + " them: on a JVM still warming up, a large part of its CPU; a longer --warmup leaves less of it");
        out.println(
                "  SQL       statements Baton's connection pool executed (each statement of a batch counts), by kind;"
                        + " JDBC executions (a batch is one) and Connection.commit calls");
        out.println("  rows      the update counts of those statements; bytes: what the database wrote"
                + " (PostgreSQL: WAL; H2: its file), the broker's journal not included");
        out.println("  heap      peak: an upper bound, garbage included; after GC: what collections kept");
        if (!forEach) {
            out.println(
                    "  raw       the same broker and database with no engine: a persistent transacted JMS request/reply"
                            + " plus one row insert and one update per round trip; Baton / raw = stage hops/s / round trips/s");
        }
        out.flush();
    }
}
