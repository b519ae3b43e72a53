package dev.baton.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.BatonServer;
import dev.baton.config.BatonSettings;
import dev.baton.pipeline.Json;
import jakarta.jms.Connection;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code baton bench}: N runs of a k-stage chain with zero-delay demo agents, C runs in flight, on the embedded
 * durable stack (broker journal as in broker.xml, the default store: the PostgreSQL Baton runs); then the raw limit of the same broker and database
 * ({@link RawLoop}) and the ratio of the two. Prints figures; asserts nothing.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Measure runs/s, stage hops/s, hop latency, CPU per hop and heap, against the raw JMS+DB limit.")
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
            defaultValue = "1000",
            description = "runs before measuring, while the JIT compiles the hot paths (default: ${DEFAULT-VALUE})")
    int warmup;

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
        dev.baton.ticket.EmbeddedPostgres.stopLeftOver(data.resolve("state").resolve("postgres"));
        deleteTree(data);
        Path routes = Files.createDirectories(data.resolve("routes"));
        Path config = Files.createDirectories(data.resolve("config"));
        Files.copy(Path.of("config", "application.properties"), config.resolve("application.properties"));
        Files.writeString(
                config.resolve("agents.yaml"),
                "agents:\n  bench: {kind: demo, concurrency: " + Math.max(4, Math.min(32, concurrency))
                        + ", output: {ok: true}}\n");
        Files.writeString(routes.resolve("bench.yaml"), pipeline(stages));
        var overrides = new BatonSettings.Overrides(
                routes, config, data.resolve("state"), freePort(), freePort(), freePort(), freePort());
        try (BatonServer server = BatonServer.start(BatonSettings.load(overrides));
                RunWaiter waiter = new RunWaiter(server)) {
            out.printf(
                    "Baton bench: %d runs x %d stages, %d in flight; embedded broker (broker/broker.xml), "
                            + "H2 file; %d cores, Java %s%n",
                    runs,
                    stages,
                    concurrency,
                    Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"));
            out.flush();
            submit(server, waiter, warmup);
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            ManagementFactory.getMemoryPoolMXBeans().forEach(java.lang.management.MemoryPoolMXBean::resetPeakUsage);
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            Map<String, Boolean> measured = submit(server, waiter, runs);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long cpu = os.getProcessCpuTime() - cpu0;
            long hops = (long) runs * stages;
            double hopsPerSecond = hops / seconds;
            long failed = measured.values().stream().filter(ok -> !ok).count();
            out.printf(
                    "  runs/s          %.0f  (%d runs in %.2f s, %d not SUCCEEDED)%n",
                    runs / seconds, runs, seconds, failed);
            out.printf("  stage hops/s    %.0f%n", hopsPerSecond);
            out.printf(
                    "  hop latency     %s  (QUEUED of one stage to QUEUED of the next)%n",
                    hopLatency(server, measured.keySet()).summary());
            out.printf("  CPU per hop     %.3f ms  (process CPU, demo agents and broker included)%n", cpu / 1e6 / hops);
            out.printf(
                    "  peak heap       %d MiB  (sum of heap pools' peaks while measuring; max %d MiB)%n",
                    peakHeapMiB(), Runtime.getRuntime().maxMemory() / (1024 * 1024));
            out.flush();
            if (!noRaw) {
                var cf = server.connectionFactory();
                RawLoop.Result raw = RawLoop.run(cf, server.dataSource(), concurrency, Math.min(hops, 20_000));
                out.printf(
                        "raw limit, same broker and database: JMS request/reply + ticket-row insert and update, "
                                + "%d clients%n",
                        concurrency);
                out.printf(
                        "  round trips/s   %.0f  (%d in %.2f s)%n", raw.perSecond(), raw.roundTrips(), raw.seconds());
                out.printf("  round trip      %s%n", raw.latency().summary());
                out.printf(
                        "Baton / raw       %.0f %%  (stage hops/s / round trips/s)%n",
                        100 * hopsPerSecond / raw.perSecond());
            }
            out.flush();
            return failed == 0 ? 0 : 1;
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
    private Map<String, Boolean> submit(BatonServer server, RunWaiter waiter, int count) throws Exception {
        Semaphore inFlight = new Semaphore(concurrency);
        Map<String, Boolean> started = new ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicInteger left = new java.util.concurrent.atomic.AtomicInteger(count);
        java.util.List<Thread> submitters = new java.util.ArrayList<>();
        java.util.Queue<Exception> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
        for (int t = 0; t < Math.min(concurrency, 8); t++) {
            Thread submitter = new Thread(
                    () -> {
                        try {
                            while (left.getAndDecrement() > 0) {
                                inFlight.acquire();
                                String id = server.runs()
                                        .start("bench", "{}", null)
                                        .run()
                                        .path("id")
                                        .asText();
                                started.put(id, false);
                                waiter.onEnd(id, ok -> {
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

    private static Latencies hopLatency(BatonServer server, java.util.Set<String> runIds) throws Exception {
        Latencies hops = new Latencies();
        try (var c = server.dataSource().getConnection();
                var ps = c.prepareStatement(
                        "SELECT run_id, at FROM ticket_history WHERE status = 'QUEUED' " + "ORDER BY run_id, seq");
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

    private static long peakHeapMiB() {
        long peak = 0;
        for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak / (1024 * 1024);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Learns that runs ended from the run events on {@code baton.events}, instead of polling the database. */
    private static final class RunWaiter implements AutoCloseable {
        private final Connection connection;
        private final Map<String, java.util.function.Consumer<Boolean>> waiting = new ConcurrentHashMap<>();
        private final Map<String, Boolean> early = new ConcurrentHashMap<>();

        RunWaiter(BatonServer server) throws Exception {
            connection = server.connectionFactory().createConnection();
            Session s = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            s.createConsumer(s.createTopic(dev.baton.compile.Endpoints.EVENTS)).setMessageListener(m -> {
                try {
                    JsonNode e = Json.parse(((TextMessage) m).getText());
                    String status = e.path("status").asText();
                    if (e.path("type").asText().equals("run")
                            && (status.equals("SUCCEEDED")
                                    || status.equals("FAILED")
                                    || status.equals("COMPENSATED")
                                    || status.equals("CANCELLED"))) {
                        ended(e.path("runId").asText(), status.equals("SUCCEEDED"));
                    }
                } catch (Exception ex) {
                    throw new IllegalStateException(ex);
                }
            });
            connection.start();
        }

        void onEnd(String runId, java.util.function.Consumer<Boolean> then) {
            waiting.put(runId, then);
            Boolean ok = early.remove(runId);
            if (ok != null && waiting.remove(runId) != null) {
                then.accept(ok);
            }
        }

        private void ended(String runId, boolean ok) {
            var then = waiting.remove(runId);
            if (then != null) {
                then.accept(ok);
            } else {
                early.put(runId, ok);
                var late = waiting.remove(runId);
                if (late != null && early.remove(runId) != null) {
                    late.accept(ok);
                }
            }
        }

        @Override
        public void close() throws jakarta.jms.JMSException {
            connection.close();
        }
    }
}
