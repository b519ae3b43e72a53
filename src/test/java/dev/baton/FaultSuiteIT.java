package dev.baton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.runtime.Faults;
import jakarta.jms.Connection;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault suite (issue 7): 1,000 runs in flight through a split, an aggregation, a retry and (one run in ten) a
 * compensation; the orchestrator dies 20 times, 13 by kill -9 at random moments and 7 halted at fault-injection
 * points (before and after the DB commit, after the JMS send, before the JMS acknowledgement, inside a split, an
 * aggregation and a compensation), and the broker, in its own process, is killed -9 three times. Afterwards every
 * run accepted has ended as it should, every ticket attempt was applied exactly once, and the outbox and the queues
 * are empty.
 */
class FaultSuiteIT {
    static final int RUNS = 1000;
    /** {@code baton.agents.heartbeat-interval}: the default. */
    static final Duration HEARTBEAT = Duration.ofSeconds(15);
    /** An attempt is failed over within 3 heartbeat intervals + 10 s of its holder's last heartbeat. */
    static final Duration FAILOVER_BOUND = HEARTBEAT.multipliedBy(3).plusSeconds(10);

    static final String AGENTS = """
            agents:
              f-plan: {kind: demo, delay: 20ms, output: {items: [1, 2, 3]}}
              f-item: {kind: demo, delay: 30ms, concurrency: 8}
              f-critic-a: {kind: demo, delay: 10ms, output: {verdict: approve}}
              f-critic-b: {kind: demo, delay: 20ms, output: {verdict: approve}}
              f-critic-c: {kind: demo, delay: 30ms, output: {verdict: reject}}
              f-book: {kind: demo, delay: 20ms, failFirstAttempts: 1}
              f-undo: {kind: demo, delay: 20ms}
              f-declined: {kind: demo, fail: true}
              f-done: {kind: demo}
            """;

    static final String PIPELINE = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: faults}
            spec:
              params:
                n: {required: true}
                decline: {default: false}
              pipeline:
                stages:
                  - {name: plan, agent: f-plan, input: "$.params.n", output: "$.plan"}
                  - name: fix
                    dependsOn: [plan]
                    dynamic:
                      generator: for_each
                      input: "$.plan.items"
                      maxParallel: 2
                      template: {name: "fix-{{ item }}", agent: f-item}
                    output: "$.fixes"
                  - name: review
                    dependsOn: [plan]
                    agents: [f-critic-a, f-critic-b, f-critic-c]
                    aggregateStrategy: vote
                    voteOn: "$.verdict"
                    output: "$.review"
                  - name: book
                    dependsOn: [fix, review]
                    agent: f-book
                    output: "$.booking"
                    retry: {maxAttempts: 3, initialDelay: 100ms}
                    compensate: {agent: f-undo, input: "$.booking", retry: {maxAttempts: 3, initialDelay: 100ms}}
                  - name: pay
                    dependsOn: [book]
                    condition: 'params.decline == true'
                    agent: f-declined
                  - {name: done, dependsOn: [pay], agent: f-done}
            """;

    static final List<String> FAULT_POINTS = List.of(
            Faults.BEFORE_DB_COMMIT,
            Faults.AFTER_DB_COMMIT,
            Faults.AFTER_SEND,
            Faults.BEFORE_ACK,
            Faults.IN_SPLIT,
            Faults.IN_AGGREGATION,
            Faults.IN_COMPENSATION);

    @TempDir
    Path root;

    private BatonProcess baton;
    private BrokerProcess broker;

    @AfterEach
    void stopAll() throws Exception {
        if (baton != null) baton.stop();
        if (broker != null) broker.stop();
    }

    @Test
    void thousandRunsSurviveTwentyOrchestratorDeathsAndThreeBrokerKills() throws Exception {
        long seed = Long.getLong("fault.seed", System.nanoTime());
        Random random = new Random(seed);
        System.out.println("fault suite seed " + seed + " (rerun with -Dfault.seed=" + seed + ")");
        Files.createDirectories(root.resolve("routes"));
        Files.createDirectories(root.resolve("config"));
        Files.writeString(root.resolve("config/agents.yaml"), AGENTS);
        Files.writeString(root.resolve("routes/faults.yaml"), PIPELINE);
        broker = new BrokerProcess(root.resolve("broker-host"));
        broker.start();
        // PostgreSQL, not H2: H2 2.5.252 was seen to corrupt an index after repeated kill -9s under this load
        // ("Row not found in primary index OUTBOX_DATA", docs/how-a-run-executes.md), which is H2's durability, not
        // Baton's; the suite proves Baton's on the production database.
        baton = new BatonProcess(root)
                .onPostgres()
                .property("baton.broker.url", broker.url())
                .maxHeap("512m");

        // 20 deaths: the 7 halts at fault points, then 13 kill -9s. Every run is submitted at once and the queues are
        // first in, first out, so the runs advance together: every split (a for_each item's reply) and aggregation
        // (a critic's reply) happens within the first lives, every compensation later, once runs reach 'pay'. So the
        // halts in a split and in an aggregation come first (in a random order), then the four halts on every reply's
        // path (random order), then the one in a compensation, each while its kind of work is still to come. (In a
        // random order over all 20, a halt in a split drawn fourth never came: that life ran every run to its end.)
        List<String> early = new ArrayList<>(List.of(Faults.IN_SPLIT, Faults.IN_AGGREGATION));
        List<String> anyReply = new ArrayList<>(FAULT_POINTS);
        anyReply.removeAll(early);
        anyReply.remove(Faults.IN_COMPENSATION);
        Collections.shuffle(early, random);
        Collections.shuffle(anyReply, random);
        List<String> deaths = new ArrayList<>(early);
        deaths.addAll(anyReply);
        deaths.add(Faults.IN_COMPENSATION);
        for (int i = 0; i < 13; i++) deaths.add("kill");
        Map<String, Integer> brokerKillsAfter = Map.of("4", 1, "10", 2, "15", 3);

        baton.start(spec(deaths.get(0), random));
        leases.launched();
        leases.start();
        List<Throwable> submitFailures = new CopyOnWriteArrayList<>();
        Thread submitter = new Thread(() -> submitAll(baton), "submitter");
        submitter.setUncaughtExceptionHandler((t, e) -> submitFailures.add(e));
        submitter.start();

        Map<String, Long> recoveries = new LinkedHashMap<>();
        for (int k = 0; k < deaths.size(); k++) {
            String death = deaths.get(k);
            if (death.equals("kill")) {
                int target = ended(baton) + 5 + random.nextInt(35);
                try {
                    await().atMost(Duration.ofMinutes(3))
                            .pollInterval(Duration.ofMillis(500))
                            .until(() -> ended(baton) >= target);
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    throw new AssertionError(
                            "runs stopped ending before kill #" + (k + 1) + "; threads: " + baton.dumpThreads(), e);
                }
                baton.kill9();
            } else {
                assertThat(baton.awaitExit()).as("halted at " + death).isEqualTo(137);
            }
            String next = k + 1 < deaths.size() ? spec(deaths.get(k + 1), random) : null;
            long t0 = System.nanoTime();
            baton.launch(next);
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> !baton.alive() || baton.up());
            leases.launched();
            String label = "#" + (k + 1) + " " + (death.equals("kill") ? "kill -9" : "halt at " + death);
            recoveries.put(label, baton.alive() ? (System.nanoTime() - t0) / 1_000_000 : -1);
            System.out.printf(
                    "orchestrator death %s: back up in %s%n",
                    label, baton.alive() ? recoveries.get(label) + " ms" : "(halted again while recovering)");
            Integer brokerKill = brokerKillsAfter.get(Integer.toString(k + 1));
            if (brokerKill != null) {
                broker.kill9();
                Duration up = broker.start();
                leases.brokerBack();
                System.out.printf("broker kill -9 #%d: broker back in %d ms%n", brokerKill, up.toMillis());
                if (baton.alive() && ended(baton) < RUNS) {
                    long b0 = System.nanoTime();
                    int before = ended(baton);
                    await().atMost(Duration.ofMinutes(2))
                            .pollInterval(Duration.ofMillis(200))
                            .until(() -> !baton.alive() || ended(baton) > before);
                    System.out.printf(
                            "broker kill -9 #%d: runs ending again %d ms after the broker was back%n",
                            brokerKill, (System.nanoTime() - b0) / 1_000_000);
                }
            }
        }
        submitter.join(Duration.ofMinutes(3).toMillis());
        assertThat(submitFailures).isEmpty();

        await().atMost(Duration.ofMinutes(5))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> ended(baton) == RUNS);
        leases.stopSampling();
        System.out.println("lease samples: " + leases.summary());
        assertThat(leases.violations).as("RUNNING tickets without a live lease").isEmpty();
        assertThat(leases.lateFailovers)
                .as("attempts still RUNNING 3 heartbeat intervals + 10 s after their holder's last heartbeat (or "
                        + "claim), counted from when Baton and the broker were last both back up")
                .isEmpty();
        baton.awaitOutboxDrained();
        baton.terminate();
        assertEveryRunEndedAndEveryAttemptAppliedOnce();
        assertQueuesEmpty();
        System.out.println("recovery times (ms): " + recoveries);
    }

    /** A fault-injection spec for the next start, or null for a random kill -9. */
    private static String spec(String death, Random random) {
        if (death.equals("kill")) return null;
        int n = death.equals(Faults.IN_COMPENSATION) ? 1 + random.nextInt(3) : 1 + random.nextInt(30);
        return death + "@" + n;
    }

    /** Submits every run with its own idempotency key, retrying the same key while Baton is down. */
    private static void submitAll(BatonProcess baton) {
        for (int i = 0; i < RUNS; i++) {
            String params = "{\"n\": " + i + ", \"decline\": " + (i % 10 == 0) + "}";
            while (baton.tryStart("faults", params, "fault-" + i) == null) {
                await().atMost(Duration.ofMinutes(3))
                        .pollInterval(Duration.ofMillis(200))
                        .until(baton::up);
            }
        }
    }

    /** Runs that have ended, as the API lists them; 0 while the API is down. */
    private static int ended(BatonProcess baton) {
        if (!baton.alive()) return 0;
        try {
            return listed(baton.get("/api/runs?status=SUCCEEDED&limit=1000"))
                    + listed(baton.get("/api/runs?status=COMPENSATED&limit=1000"))
                    + listed(baton.get("/api/runs?status=FAILED&limit=1000"));
        } catch (Exception e) {
            return 0;
        }
    }

    private static int listed(JsonNode page) {
        return page.isArray() ? page.size() : page.path("items").size();
    }

    private void assertEveryRunEndedAndEveryAttemptAppliedOnce() throws Exception {
        try (java.sql.Connection c = baton.connect()) {
            assertThat(count(c, "SELECT COUNT(*) FROM run"))
                    .as("one run per idempotency key")
                    .isEqualTo(RUNS);
            assertThat(count(c, "SELECT COUNT(*) FROM run WHERE status = 'SUCCEEDED'"))
                    .as(
                            "runs by status and error: %s",
                            rows(
                                    c,
                                    "SELECT status, LEFT(error, 300), COUNT(*) FROM run "
                                            + "GROUP BY status, LEFT(error, 300) ORDER BY 3 DESC LIMIT 20"))
                    .isEqualTo(RUNS * 9 / 10);
            assertThat(count(c, "SELECT COUNT(*) FROM run WHERE status = 'COMPENSATED'"))
                    .isEqualTo(RUNS / 10);
            assertThat(count(
                            c,
                            "SELECT COUNT(*) FROM ticket WHERE status NOT IN ('SUCCEEDED', 'FAILED', "
                                    + "'SKIPPED', 'CANCELLED')"))
                    .as("no ticket left active or waiting")
                    .isZero();
            assertThat(count(c, "SELECT COUNT(*) FROM outbox")).isZero();
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
            // every attempt that was queued has exactly one outcome, and every ticket succeeded at most once
            assertThat(
                            count(
                                    c,
                                    "SELECT COUNT(*) FROM (SELECT ticket_id, attempt FROM ticket_history "
                                            + "WHERE ticket_id IS NOT NULL GROUP BY ticket_id, attempt "
                                            + "HAVING SUM(CASE WHEN status = 'QUEUED' THEN 1 ELSE 0 END) > 0 "
                                            + "AND SUM(CASE WHEN status IN ('SUCCEEDED', 'FAILED', 'CANCELLED') THEN 1 ELSE 0 END) = 0) x"))
                    .as("attempts without an outcome")
                    .isZero();
            // the work itself: 3 items and 3 ballots per run, book failed once then succeeded, one undo per decline
            assertThat(count(c, "SELECT COUNT(*) FROM ticket_history WHERE stage = 'fix' AND status = 'SUCCEEDED'"))
                    .isEqualTo(RUNS * 3);
            assertThat(count(c, "SELECT COUNT(*) FROM ticket_history WHERE stage = 'review' AND status = 'SUCCEEDED'"))
                    .isEqualTo(RUNS * 3);
            assertThat(count(
                            c,
                            "SELECT COUNT(*) FROM ticket WHERE stage = 'book' AND item = -1 AND status = "
                                    + "'SUCCEEDED'"))
                    .as("compensations")
                    .isEqualTo(RUNS / 10);
            // book's agent fails attempt 1 of every ticket: at most one such failure per ticket, and one per run
            // unless attempt 1 was re-dispatched first because the instance holding it went DOWN
            assertThat(count(
                            c,
                            "SELECT COUNT(*) FROM (SELECT ticket_id FROM ticket_history WHERE stage = 'book' "
                                    + "AND status = 'FAILED' AND detail NOT LIKE '%re-dispatched as attempt%' GROUP BY ticket_id "
                                    + "HAVING COUNT(*) > 1) x"))
                    .as("book failed by its agent more than once")
                    .isZero();
            int bookFailovers = count(
                    c,
                    "SELECT COUNT(*) FROM ticket_history WHERE stage = 'book' AND attempt = 1 "
                            + "AND detail LIKE '%re-dispatched as attempt%'");
            assertThat(count(
                            c,
                            "SELECT COUNT(*) FROM ticket_history WHERE stage = 'book' AND status = 'FAILED' "
                                    + "AND detail NOT LIKE '%re-dispatched as attempt%'"))
                    .as("book fails its first attempt once per run")
                    .isBetween(RUNS - bookFailovers, RUNS);
            assertThat(count(c, "SELECT COUNT(*) FROM ticket_history WHERE status = 'RUN_SUCCEEDED'"))
                    .isEqualTo(RUNS * 9 / 10);
            assertThat(count(c, "SELECT COUNT(*) FROM ticket_history WHERE status = 'RUN_COMPENSATED'"))
                    .isEqualTo(RUNS / 10);
            System.out.println("attempts re-dispatched because the instance holding them went DOWN: "
                    + count(c, "SELECT COUNT(*) FROM ticket_history WHERE detail LIKE '%re-dispatched as attempt%'"));
            // each run's history is numbered 1..n without gaps or repeats, whatever the crashes
            assertThat(count(
                            c,
                            "SELECT COUNT(*) FROM (SELECT run_id FROM ticket_history GROUP BY run_id "
                                    + "HAVING MAX(seq) <> COUNT(*) OR MIN(seq) <> 1) x"))
                    .isZero();
        }
    }

    private final LeaseSampler leases = new LeaseSampler();

    /**
     * Every 2 s, the RUNNING tickets whose attempt no live instance holds. The pipeline's stages have no
     * {@code timeout}, so an attempt's lease is its holder's heartbeats: Baton marks an instance unseen for 3 intervals
     * DOWN, checking every second from its start, and re-dispatches its attempts. So once the current process has
     * been up (its API answering) for 2 intervals, no RUNNING attempt may be held by no one, or by an instance that is
     * not DOWN and was unseen for more than 5 intervals (a killed process's instances included). Then the bound: an
     * attempt still RUNNING 3 intervals + 10 s after its holder's last sign of life — its last heartbeat, or its claim
     * when no heartbeat of it was recorded — or after Baton and the broker were last back up, whichever is later, is
     * a late failover, whether its holder is UP, DOWN or unknown. Also printed: the longest wait seen between a DOWN
     * mark and the failover, and the most RUNNING tickets held by an instance without a heartbeat row in one sample
     * (a claim registers such an instance, so it should stay 0).
     */
    private final class LeaseSampler extends Thread {
        final List<String> violations = new CopyOnWriteArrayList<>();
        final List<String> lateFailovers = new CopyOnWriteArrayList<>();
        private volatile long launchedAt;
        /** When the current process and the broker were last both back: the failover bound counts from there. */
        private volatile java.time.Instant boundFrom = java.time.Instant.now();

        private volatile boolean running = true;
        private int samples;
        private int ticketsSeen;
        private Duration longestFailoverWait = Duration.ZERO;
        private int unknownHolders;

        LeaseSampler() {
            super("lease-sampler");
            setDaemon(true);
        }

        private static java.util.Calendar utc() {
            return java.util.Calendar.getInstance(java.util.TimeZone.getTimeZone("UTC"));
        }

        void launched() {
            launchedAt = System.nanoTime();
            boundFrom = java.time.Instant.now();
        }

        void brokerBack() {
            boundFrom = java.time.Instant.now();
        }

        @Override
        public void run() {
            while (running) {
                try {
                    Thread.sleep(2000);
                    if (Duration.ofNanos(System.nanoTime() - launchedAt).compareTo(HEARTBEAT.multipliedBy(2)) >= 0
                            && baton.alive()) {
                        sample();
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    System.out.println("lease sample failed: " + e); // the database may be between connections
                }
            }
        }

        private void sample() throws Exception {
            var staleBefore = java.sql.Timestamp.from(java.time.Instant.now().minus(HEARTBEAT.multipliedBy(5)));
            try (var c = baton.connect()) {
                ticketsSeen += count(c, "SELECT COUNT(*) FROM ticket WHERE status = 'RUNNING'");
                // Held by an instance no heartbeat of which was recorded: its claim registers it when its agent sends
                // heartbeats, so this stays 0 (the bound below holds such an attempt to its claim time). Reported.
                unknownHolders = Math.max(
                        unknownHolders,
                        count(
                                c,
                                "SELECT COUNT(*) FROM ticket t "
                                        + "JOIN ticket_holder h ON h.ticket_id = t.id AND h.attempt = t.attempt "
                                        + "LEFT JOIN agent_instance i ON i.agent = h.agent AND i.instance = h.instance "
                                        + "WHERE t.status = 'RUNNING' AND i.instance IS NULL"));
                // Held by an instance already DOWN: the lease has ended and the failover is queued (same transaction
                // as the DOWN mark); how long until the coordinator applies it is reported (and bounded below).
                try (var st = c.createStatement();
                        ResultSet rs = st.executeQuery("SELECT MIN(i.down_at) FROM ticket t "
                                + "JOIN ticket_holder h ON h.ticket_id = t.id AND h.attempt = t.attempt "
                                + "JOIN agent_instance i ON i.agent = h.agent AND i.instance = h.instance "
                                + "WHERE t.status = 'RUNNING' AND i.status = 'DOWN'")) {
                    var oldest = rs.next() ? rs.getTimestamp(1, utc()) : null;
                    if (oldest != null) {
                        longestFailoverWait = java.util.Collections.max(List.of(
                                longestFailoverWait, Duration.between(oldest.toInstant(), java.time.Instant.now())));
                    }
                }
                try (var ps = c.prepareStatement("SELECT t.id, t.stage, t.attempt, h.instance, h.attempt, i.status, "
                        + "COALESCE(i.last_heartbeat, h.at) FROM ticket t "
                        + "LEFT JOIN ticket_holder h ON h.ticket_id = t.id "
                        + "LEFT JOIN agent_instance i ON i.agent = h.agent AND i.instance = h.instance "
                        + "WHERE t.status = 'RUNNING' AND (h.instance IS NULL OR h.attempt <> t.attempt "
                        + "OR (i.status <> 'DOWN' AND i.last_heartbeat < ?))")) {
                    // Baton writes its TIMESTAMP columns as UTC wall-clock times (Sql)
                    ps.setTimestamp(1, staleBefore, utc());
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            violations.add("ticket " + rs.getString(1) + " (" + rs.getString(2) + ") attempt "
                                    + rs.getInt(3) + ": holder " + rs.getString(4) + " of attempt " + rs.getString(5)
                                    + ", instance " + rs.getString(6) + ", last seen " + rs.getTimestamp(7, utc())
                                    + " UTC");
                        }
                    }
                }
                // The bound, from the holder's last sign of life or from when Baton and the broker were back.
                java.time.Instant now = java.time.Instant.now();
                java.time.Instant from = boundFrom;
                if (Duration.between(from, now).compareTo(FAILOVER_BOUND) > 0) {
                    try (var ps = c.prepareStatement("SELECT t.id, t.stage, t.attempt, h.instance, i.status, "
                            + "COALESCE(i.last_heartbeat, h.at) FROM ticket t "
                            + "JOIN ticket_holder h ON h.ticket_id = t.id AND h.attempt = t.attempt "
                            + "LEFT JOIN agent_instance i ON i.agent = h.agent AND i.instance = h.instance "
                            + "WHERE t.status = 'RUNNING' AND COALESCE(i.last_heartbeat, h.at) < ?")) {
                        ps.setTimestamp(1, java.sql.Timestamp.from(now.minus(FAILOVER_BOUND)), utc());
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                lateFailovers.add("ticket " + rs.getString(1) + " (" + rs.getString(2) + ") attempt "
                                        + rs.getInt(3) + " still RUNNING at " + now + ": holder " + rs.getString(4)
                                        + " (" + rs.getString(5) + "), last seen " + rs.getTimestamp(6, utc())
                                        + " UTC; Baton and broker up since " + from);
                            }
                        }
                    }
                }
            }
            samples++;
        }

        void stopSampling() throws InterruptedException {
            running = false;
            interrupt();
            join();
        }

        String summary() {
            return samples + " samples taken with the current process up for 2 heartbeat intervals or more, "
                    + ticketsSeen + " RUNNING tickets seen in them, " + violations.size() + " without a live lease, "
                    + lateFailovers.size() + " not failed over within " + FAILOVER_BOUND.toSeconds() + " s; "
                    + "longest seen between an instance's DOWN and the failover of an attempt it held: "
                    + longestFailoverWait.toSeconds() + " s; most RUNNING tickets held by an instance without a "
                    + "recorded heartbeat in one sample: " + unknownHolders;
        }
    }

    /** Nothing is left on the agents' queues, the results queue, the coordinator queue or the dead-letter queue. */
    private void assertQueuesEmpty() throws Exception {
        List<String> queues = new ArrayList<>(List.of("baton.results", "baton.coordinator", "baton.DLQ"));
        for (String agent : List.of(
                "f-plan",
                "f-item",
                "f-critic-a",
                "f-critic-b",
                "f-critic-c",
                "f-book",
                "f-undo",
                "f-declined",
                "f-done")) {
            queues.add("baton.agent." + agent);
        }
        Map<String, Integer> left = new LinkedHashMap<>();
        try (Connection connection = new ActiveMQConnectionFactory(
                        broker.url(), "baton", BatonProcess.TEST_BROKER_PASSWORD)
                .createConnection()) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            for (String q : queues) {
                int n = 0;
                try (QueueBrowser browser = session.createBrowser(session.createQueue(q))) {
                    for (var e = browser.getEnumeration(); e.hasMoreElements(); e.nextElement()) n++;
                }
                if (n > 0) left.put(q, n);
            }
        }
        assertThat(left).as("messages left on queues").isEmpty();
    }

    private static int count(java.sql.Connection c, String sql) throws Exception {
        try (var st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** A query's rows as text, to say why an assertion failed. */
    private static List<String> rows(java.sql.Connection c, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (var st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= n; i++) row.append(i > 1 ? " | " : "").append(rs.getString(i));
                out.add(row.toString());
            }
        }
        return out;
    }
}
