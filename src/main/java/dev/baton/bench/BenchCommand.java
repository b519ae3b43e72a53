package dev.baton.bench;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code baton bench}: N runs of a k-stage chain with zero-delay demo agents, C runs in flight, on the embedded
 * durable stack (broker journal as in broker.xml; the embedded PostgreSQL Baton runs, or H2); then the raw limit of
 * the same broker and database ({@link RawLoop}) and the ratio of the two; or, with {@code --for-each N}, one
 * for_each run ({@link ForEachBench}). Prints figures; asserts nothing.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Measure runs/s, stage hops/s, hop latency, CPU, SQL statements, rows and bytes written per hop,"
                + " and heap, against the raw JMS+DB limit; or a for_each's items/s.")
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--runs", defaultValue = "2000", description = "measured runs (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--stages", defaultValue = "3", description = "stages per run, a chain (default: ${DEFAULT-VALUE})")
    int stages;

    @Option(
            names = {"-c", "--concurrency"},
            defaultValue = "64",
            description = "runs in flight (default: ${DEFAULT-VALUE})")
    int concurrency;

    @Option(
            names = "--warmup",
            defaultValue = "5000",
            description = "runs before measuring, while the JIT compiles the hot paths; with --for-each, the items of a"
                    + " warm-up run (at most N) (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(
            names = "--db",
            defaultValue = "postgres",
            description = "the store: postgres (the embedded PostgreSQL Baton runs) or h2 (a file, WRITE_DELAY=0)"
                    + " (default: ${DEFAULT-VALUE})")
    BenchStack.Db db;

    @Option(
            names = "--for-each",
            defaultValue = "0",
            paramLabel = "N",
            description = "instead of the chain, one run of a for_each over N items (0: off)")
    int forEach;

    @Option(
            names = "--max-parallel",
            defaultValue = "50",
            description = "the for_each's maxParallel (default: ${DEFAULT-VALUE})")
    int maxParallel;

    @Option(
            names = "--data",
            defaultValue = "data/bench",
            description = "scratch folder, emptied first (default: ${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--no-raw", description = "skip the raw JMS+DB measurement")
    boolean noRaw;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        atLeast("--runs", runs, 1);
        atLeast("--stages", stages, 1);
        atLeast("--concurrency", concurrency, 1);
        atLeast("--warmup", warmup, 0);
        atLeast("--for-each", forEach, 0);
        atLeast("--max-parallel", maxParallel, 1);
        ForEachBench each = new ForEachBench(forEach, maxParallel, Math.min(warmup, forEach));
        Map<String, String> pipelines =
                forEach > 0 ? Map.of("bench-each.yaml", each.pipeline()) : Map.of("bench.yaml", pipeline(stages));
        int agentConcurrency = Math.max(4, Math.min(32, forEach > 0 ? maxParallel : concurrency));
        try (BenchStack stack = BenchStack.start(data, db, pipelines, agentConcurrency)) {
            return forEach > 0 ? each.run(stack, out) : chain(stack, out);
        }
    }

    private int chain(BenchStack stack, PrintWriter out) throws Exception {
        out.printf(
                "Baton bench: %d runs x %d stages, %d in flight; embedded broker (broker/broker.xml), %s; "
                        + "%d cores, Java %s%n",
                runs,
                stages,
                concurrency,
                stack.database,
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        out.flush();
        submit(stack, warmup);
        Window window = Window.open(stack);
        Map<String, Boolean> measured = submit(stack, runs);
        Window.Measured m = window.close();
        long hops = (long) runs * stages;
        double hopsPerSecond = hops / m.seconds();
        long failed = measured.values().stream().filter(ok -> !ok).count();
        BenchFigures figures = new BenchFigures(out);
        figures.line(
                "runs/s",
                "%.0f".formatted(runs / m.seconds()),
                "%d runs in %.2f s, %d not SUCCEEDED".formatted(runs, m.seconds(), failed));
        figures.line("stage hops/s", "%.0f".formatted(hopsPerSecond), "");
        figures.line(
                "hop latency",
                hopLatency(stack, measured.keySet()).summary(),
                "QUEUED of one stage to QUEUED of the next");
        figures.perUnit("hop", m, hops, stack);
        figures.heap(m);
        if (!noRaw) {
            RawLoop.prepare(stack.server.dataSource());
            long roundTrips = Math.min(hops, 20_000);
            // warmed up as Baton was: measured cold, half of the raw loop's CPU was the JIT compiling its paths
            RawLoop.run(stack.server.connectionFactory(), stack.server.dataSource(), concurrency, roundTrips);
            Window rawWindow = Window.open(stack);
            RawLoop.Result raw =
                    RawLoop.run(stack.server.connectionFactory(), stack.server.dataSource(), concurrency, roundTrips);
            Window.Measured r = rawWindow.close();
            out.printf(
                    "raw limit, same broker and database: JMS request/reply + ticket-row insert and update, "
                            + "%d clients%n",
                    concurrency);
            figures.line(
                    "round trips/s",
                    "%.0f".formatted(raw.perSecond()),
                    "%d in %.2f s".formatted(raw.roundTrips(), raw.seconds()));
            figures.line("round trip", raw.latency().summary(), "");
            figures.perUnit("round trip", r, raw.roundTrips(), stack);
            figures.line(
                    "Baton / raw",
                    "%.0f %%".formatted(100 * hopsPerSecond / raw.perSecond()),
                    "stage hops/s / round trips/s");
        }
        figures.legend(false);
        return failed == 0 ? 0 : 1;
    }

    private void atLeast(String option, int value, int least) {
        if (value < least) {
            throw new ParameterException(spec.commandLine(), option + " must be at least " + least + ", not " + value);
        }
    }

    static String pipeline(int stages) {
        StringBuilder yaml = new StringBuilder("""
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: bench}
                spec:
                  pipeline:
                    stages:
                """);
        for (int i = 1; i <= stages; i++) {
            yaml.append("      - {name: s")
                    .append(i)
                    .append(", agent: bench")
                    .append(i == 1 ? "" : ", dependsOn: [s" + (i - 1) + "]")
                    .append("}\n");
        }
        return yaml.toString();
    }

    /**
     * Starts {@code count} runs, never more than {@code concurrency} in flight, from several submitting threads (as
     * many clients would; one thread starting runs one after the other was the bench's own bottleneck); returns
     * run id → SUCCEEDED.
     */
    private Map<String, Boolean> submit(BenchStack stack, int count) throws Exception {
        Semaphore inFlight = new Semaphore(concurrency);
        Map<String, Boolean> started = new ConcurrentHashMap<>();
        AtomicInteger left = new AtomicInteger(count);
        List<Thread> submitters = new ArrayList<>();
        Queue<Exception> failures = new ConcurrentLinkedQueue<>();
        for (int t = 0; t < Math.min(concurrency, 8); t++) {
            Thread submitter = new Thread(
                    () -> {
                        try {
                            while (left.getAndDecrement() > 0) {
                                inFlight.acquire();
                                String id = stack.server
                                        .runs()
                                        .start("bench", "{}", null)
                                        .run()
                                        .path("id")
                                        .asText();
                                started.put(id, false);
                                stack.waiter.onEnd(id, ok -> {
                                    started.put(id, ok);
                                    inFlight.release();
                                });
                            }
                        } catch (Exception e) {
                            failures.add(e);
                        }
                    },
                    "bench-submit-" + t);
            submitter.start();
            submitters.add(submitter);
        }
        for (Thread submitter : submitters) {
            submitter.join();
        }
        if (!failures.isEmpty()) {
            throw failures.peek();
        }
        if (!inFlight.tryAcquire(concurrency, 10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("runs did not end within 10 minutes");
        }
        return started;
    }

    private static Latencies hopLatency(BenchStack stack, Set<String> runIds) throws Exception {
        Latencies hops = new Latencies();
        try (var c = stack.server.dataSource().getConnection();
                var ps = c.prepareStatement(
                        "SELECT run_id, at FROM ticket_history WHERE status = 'QUEUED' ORDER BY run_id, seq");
                ResultSet rs = ps.executeQuery()) {
            Map<String, Timestamp> last = new HashMap<>();
            while (rs.next()) {
                String run = rs.getString(1);
                if (!runIds.contains(run)) {
                    continue;
                }
                Timestamp at = rs.getTimestamp(2);
                Timestamp before = last.put(run, at);
                if (before != null) {
                    hops.add(java.time.Duration.between(before.toInstant(), at.toInstant())
                            .toNanos());
                }
            }
        }
        return hops;
    }
}
