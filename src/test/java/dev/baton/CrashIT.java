package dev.baton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability: Baton in its own process is killed with SIGKILL while 200 runs are in flight, and halted by fault
 * injection exactly between the DB commit and the JMS commit. After restarts on the same data every run ends
 * SUCCEEDED and every ticket attempt's outcome is applied exactly once, as counted from the history. Baton runs on
 * its default store, the PostgreSQL it starts itself on its data folder, as {@code ./baton run} does.
 */
class CrashIT {
    static final String AGENTS = """
            agents:
              crash-a: {kind: demo, delay: 300ms}
              crash-b: {kind: demo, delay: 500ms, failFirstAttempts: 1}
              crash-c: {kind: demo, delay: 400ms}
              crash-d: {kind: demo, delay: 200ms}
            """;

    static final String PIPELINE = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: crash}
            spec:
              params:
                n: {required: true}
              pipeline:
                stages:
                  - {name: a, agent: crash-a, input: "$.params.n", output: "$.a"}
                  - {name: b, dependsOn: [a], agent: crash-b, output: "$.b", retry: {maxAttempts: 3, initialDelay: 100ms}}
                  - {name: c, dependsOn: [a], agent: crash-c, output: "$.c"}
                  - {name: d, dependsOn: [b, c], agent: crash-d, output: "$.d"}
            """;

    @TempDir
    Path root;

    @Test
    void twoHundredRunsSurviveThreeKillNines() throws Exception {
        BatonProcess baton = prepare();
        baton.start(null);
        int runs = 200;
        AtomicInteger submitted = new AtomicInteger();
        List<String> ids = new ArrayList<>();
        List<Throwable> submitFailures = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread submitter = new Thread(() -> {
            for (int i = 0; i < runs; i++) {
                JsonNode r;
                while ((r = baton.tryStart("crash", "{\"n\": " + i + "}", "crash-" + i)) == null) {
                    // down or starting (503): wait until it is ready again, then retry with the same key
                    await().atMost(Duration.ofMinutes(2))
                            .pollInterval(Duration.ofMillis(200))
                            .until(baton::up);
                }
                synchronized (ids) {
                    if (!ids.contains(r.path("id").asText()))
                        ids.add(r.path("id").asText());
                }
                submitted.incrementAndGet();
            }
        });
        submitter.setUncaughtExceptionHandler((t, e) -> submitFailures.add(e));
        submitter.start();

        Random random = new Random();
        for (int kill = 1; kill <= 3; kill++) {
            // a random moment, measured in progress rather than time: once a random number of runs in this
            // kill's band (0-40, 60-100, 120-160 of 200) has succeeded; runs never un-succeed, so each band is reached
            int target = (kill - 1) * 60 + 1 + random.nextInt(40);
            await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> succeeded(baton) >= target);
            // the second kill takes the default store's server with it, as a container's kill would
            if (kill == 2) baton.kill9WithDatabase();
            else baton.kill9();
            Duration recovery = baton.start(null);
            System.out.printf(
                    "kill -9 #%d once %d runs had succeeded; back up in %d ms%n", kill, target, recovery.toMillis());
        }
        submitter.join(Duration.ofMinutes(3).toMillis());
        assertThat(submitFailures).isEmpty();
        assertThat(submitted.get()).isEqualTo(runs);

        awaitAllSucceeded(baton, runs, Duration.ofMinutes(4));
        baton.awaitOutboxDrained();
        baton.terminate();
        assertExactlyOnce(baton, runs);
    }

    @Test
    void haltBetweenDbCommitAndJmsCommitLosesNothingAndAppliesNothingTwice() throws Exception {
        for (String fault : List.of("after-db-commit@25", "after-send@25")) {
            BatonProcess baton = prepare();
            baton.start(fault);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                JsonNode r = baton.tryStart("crash", "{\"n\": " + i + "}", fault + "-" + i);
                if (r == null) break; // the fault may fire while we are still submitting
                ids.add(r.path("id").asText());
            }
            assertThat(baton.awaitExit()).as("halted by " + fault).isEqualTo(137);
            baton.start(null);
            for (int i = ids.size(); i < 20; i++) {
                assertThat(baton.tryStart("crash", "{\"n\": " + i + "}", fault + "-" + i))
                        .isNotNull();
            }
            awaitAllSucceeded(baton, 20, Duration.ofMinutes(2));
            baton.awaitOutboxDrained();
            baton.terminate();
            assertExactlyOnce(baton, 20);
            root = Files.createTempDirectory(root, "next");
        }
    }

    private final List<BatonProcess> started = new ArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void stopAll() throws Exception {
        for (BatonProcess p : started) p.stop();
    }

    private BatonProcess prepare() throws Exception {
        Files.createDirectories(root.resolve("routes"));
        Files.createDirectories(root.resolve("config"));
        Files.writeString(root.resolve("config/agents.yaml"), AGENTS);
        Files.writeString(root.resolve("routes/crash.yaml"), PIPELINE);
        // Baton's default store, the PostgreSQL it runs itself on its data folder: what ./baton run uses
        BatonProcess p = new BatonProcess(root);
        started.add(p);
        return p;
    }

    /** Waits for every run to succeed; on a timeout, prints each unfinished run's history to say why. */
    private static void awaitAllSucceeded(BatonProcess baton, int runs, Duration atMost) throws Exception {
        try {
            await().atMost(atMost).pollInterval(Duration.ofSeconds(1)).until(() -> succeeded(baton) == runs);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            List<String> unfinished = new ArrayList<>();
            for (JsonNode run : baton.get("/api/runs?status=RUNNING&limit=20").path("items")) {
                unfinished.add(run.path("id").asText());
            }
            System.out.println("threads of the Baton process: " + baton.dumpThreads());
            throw new AssertionError(ProcessDiagnosis.of(baton, unfinished, "CrashIT: runs did not finish"), e);
        }
    }

    private static int succeeded(BatonProcess baton) throws Exception {
        return baton.get("/api/runs?status=SUCCEEDED&limit=1000").path("items").size();
    }

    /**
     * Checks the database of a stopped Baton, running {@link #PIPELINE} for {@code runs} runs: the history proves each
     * outcome was applied once.
     */
    static void assertExactlyOnce(BatonProcess baton, int runs) throws Exception {
        try (Connection c = baton.connect()) {
            assertThat(count(c, "SELECT COUNT(*) FROM run"))
                    .as("one run per idempotency key")
                    .isEqualTo(runs);
            assertThat(count(c, "SELECT COUNT(*) FROM run WHERE status = 'SUCCEEDED'"))
                    .isEqualTo(runs);
            assertThat(count(c, "SELECT COUNT(*) FROM ticket")).isEqualTo(runs * 4);
            assertThat(count(c, "SELECT COUNT(*) FROM ticket WHERE status <> 'SUCCEEDED'"))
                    .isZero();
            assertThat(count(c, "SELECT COUNT(*) FROM outbox"))
                    .as("outbox drained, but left: %s", leftovers(c))
                    .isZero();
            // every ticket succeeded exactly once, on its last attempt
            assertThat(count(
                            c,
                            "SELECT COUNT(*) FROM (SELECT ticket_id FROM ticket_history WHERE status = 'SUCCEEDED' "
                                    + "GROUP BY ticket_id HAVING COUNT(*) <> 1) x"))
                    .isZero();
            assertThat(count(c, "SELECT COUNT(*) FROM ticket_history WHERE status = 'SUCCEEDED'"))
                    .isEqualTo(runs * 4);
            // no attempt was queued twice or had two outcomes applied
            assertThat(count(
                            c,
                            "SELECT COUNT(*) FROM (SELECT ticket_id, attempt FROM ticket_history "
                                    + "WHERE status = 'QUEUED' GROUP BY ticket_id, attempt HAVING COUNT(*) > 1) x"))
                    .isZero();
            assertThat(
                            count(
                                    c,
                                    "SELECT COUNT(*) FROM (SELECT ticket_id, attempt FROM ticket_history "
                                            + "WHERE status IN ('SUCCEEDED', 'FAILED') GROUP BY ticket_id, attempt HAVING COUNT(*) > 1) x"))
                    .isZero();
            // stage b fails its first attempt by design: exactly one FAILED and one retry per b ticket
            assertThat(count(c, "SELECT COUNT(*) FROM ticket_history WHERE stage = 'b' AND status = 'FAILED'"))
                    .isEqualTo(runs);
            assertThat(count(c, "SELECT COUNT(*) FROM ticket_history WHERE status = 'RUN_SUCCEEDED'"))
                    .isEqualTo(runs);
            // each run's history is numbered 1..n without gaps or repeats, whatever the crashes
            assertThat(count(
                            c,
                            "SELECT COUNT(*) FROM (SELECT run_id FROM ticket_history GROUP BY run_id "
                                    + "HAVING MAX(seq) <> COUNT(*) OR MIN(seq) <> 1) x"))
                    .isZero();
        }
    }

    /** What the outbox still holds, to say why it was not drained. */
    private static List<String> leftovers(Connection c) throws Exception {
        List<String> rows = new ArrayList<>();
        try (var st = c.createStatement();
                ResultSet rs =
                        st.executeQuery("SELECT destination, created_at, body FROM outbox ORDER BY created_at")) {
            while (rs.next()) rows.add(rs.getString(1) + " " + rs.getTimestamp(2) + " " + rs.getString(3));
        }
        return rows;
    }

    private static int count(Connection c, String sql) throws Exception {
        try (var st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
