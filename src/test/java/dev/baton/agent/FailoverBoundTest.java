package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.LogCapture;
import dev.baton.TestBaton;
import dev.baton.pipeline.Json;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Calendar;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failover in bounded time, on the real broker and database with heartbeats every second: an attempt is failed over
 * within 3 intervals + 10 s of the last sign of life of the instance holding it — its last heartbeat, or its claim
 * when no heartbeat of it was ever recorded — and an instance named after a process of this host that is no longer
 * running is marked DOWN at once, in one line per process. Times are compared as the database recorded them.
 */
class FailoverBoundTest {
    static final Duration INTERVAL = Duration.ofSeconds(1);
    static final Duration BOUND = INTERVAL.multipliedBy(3).plusSeconds(10);
    static final Calendar UTC = Calendar.getInstance(TimeZone.getTimeZone("UTC"));

    @TempDir
    static Path root;

    static TestBaton baton;

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(root.resolve("config"));
        Files.writeString(
                root.resolve("config/application.properties"),
                "baton.agents.heartbeat-interval = " + INTERVAL.toMillis() + "ms\n");
        baton = TestBaton.start(root, """
                agents:
                  worker: {kind: external, capabilities: [work]}
                  other: {kind: external}
                """, Map.of("solo.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: solo}
                spec:
                  pipeline:
                    stages:
                      - {name: work, agent: worker, output: $.work}
                """));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    @Test
    void anInstanceThatClaimedATicketBeforeAnyHeartbeatOfItWasRecordedIsFailedOverWithinTheBound() throws Exception {
        // The agent sends heartbeats (another instance did), so a claim by an unknown instance registers it.
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    boolean recorded = !baton.query("SELECT 1 FROM agent_instance WHERE instance = 'w-steady'")
                            .isEmpty();
                    if (!recorded) heartbeat("worker", "w-steady", Instant.now());
                    return recorded;
                });
        String runId = baton.startRun("solo", "{}");
        claimAsWorker(runId, "w-ghost");

        await().atMost(Duration.ofSeconds(60)).until(() -> attempt(runId) == 2);
        Map<String, Object> failed = history(runId, 1, "FAILED");
        assertThat((String) failed.get("detail"))
                .startsWith("instance w-ghost of agent worker is DOWN")
                .contains("re-dispatched as attempt 2");
        Instant claimed = at(history(runId, 1, "RUNNING"));
        assertThat(Duration.between(claimed, at(failed)))
                .as("claim to failover, as the database recorded them")
                .isGreaterThanOrEqualTo(INTERVAL.multipliedBy(3))
                .isLessThanOrEqualTo(BOUND);
        assertThat(baton.query("SELECT status FROM agent_instance WHERE agent = 'worker' AND instance = 'w-ghost'"))
                .extracting(r -> r.get("status"))
                .containsExactly("DOWN");
    }

    @Test
    void aSilentInstanceIsFailedOverWithinTheBoundOfItsLastHeartbeat() throws Exception {
        String runId = baton.startRun("solo", "{}");
        var beating = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    heartbeat("worker", "w-1", Instant.now());
                    Thread.sleep(INTERVAL.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        beating.start();
        try {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !baton.query("SELECT 1 FROM agent_instance WHERE instance = 'w-1' AND status = 'UP'")
                            .isEmpty());
            claimAsWorker(runId, "w-1");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !baton.query(
                                    "SELECT 1 FROM ticket t JOIN ticket_holder h "
                                            + "ON h.ticket_id = t.id AND h.attempt = t.attempt WHERE t.run_id = ? AND h.instance = 'w-1'",
                                    runId)
                            .isEmpty());
        } finally {
            beating.interrupt();
            beating.join();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> attempt(runId) == 2);
        Instant last = ((Timestamp) baton.query("SELECT last_heartbeat FROM agent_instance WHERE instance = 'w-1'")
                        .get(0)
                        .get("last_heartbeat"))
                .toInstant();
        Map<String, Object> failed = history(runId, 1, "FAILED");
        assertThat((String) failed.get("detail")).startsWith("instance w-1 of agent worker is DOWN");
        assertThat(Duration.between(last, at(failed)))
                .as("last heartbeat to failover")
                .isGreaterThanOrEqualTo(INTERVAL.multipliedBy(3))
                .isLessThanOrEqualTo(BOUND);
    }

    @Test
    void instancesOfProcessesOfThisHostThatAreGoneAreMarkedDownAtOnceInOneLinePerProcess() throws Exception {
        String host = java.net.InetAddress.getLocalHost().getHostName();
        long previous = deadPid();
        long peer = deadPid();
        Instant jvmStart = Instant.ofEpochMilli(
                java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime());
        try (LogCapture log = new LogCapture("dev.baton.runtime.AgentHealth", Level.INFO, "%p %m%n")) {
            // This host's previous Baton (it last spoke before this process started): three agents' instances.
            try (var c = baton.server.dataSource().getConnection();
                    var ps = c.prepareStatement("INSERT INTO agent_instance (agent, instance, status, first_seen, "
                            + "last_heartbeat) VALUES (?, ?, 'UP', ?, ?)")) {
                for (String agent : List.of("prev-a", "prev-b", "prev-c")) {
                    Timestamp t = Timestamp.from(jvmStart.minusSeconds(1));
                    ps.setString(1, agent);
                    ps.setString(2, previous + "@" + host);
                    ps.setTimestamp(3, t, UTC);
                    ps.setTimestamp(4, t, UTC);
                    ps.executeUpdate();
                }
                c.commit();
            }
            // A process of this host that sent a heartbeat while this one runs, and is gone: a peer that died. Sent
            // again until recorded: right after start a heartbeat can reach the topic before its queue's consumer.
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        boolean recorded = !baton.query(
                                        "SELECT 1 FROM agent_instance WHERE instance = ?", peer + "@" + host)
                                .isEmpty();
                        if (!recorded) heartbeat("other", peer + "@" + host, Instant.now());
                        return recorded;
                    });
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> baton.query(
                                            "SELECT 1 FROM agent_instance WHERE "
                                                    + "instance IN (?, ?) AND status = 'DOWN'",
                                            previous + "@" + host,
                                            peer + "@" + host)
                                    .size()
                            == 4);
            var peerRow = baton.query(
                            "SELECT last_heartbeat, down_at FROM agent_instance WHERE instance = ?", peer + "@" + host)
                    .get(0);
            assertThat(Duration.between(
                            ((Timestamp) peerRow.get("last_heartbeat")).toInstant(),
                            ((Timestamp) peerRow.get("down_at")).toInstant()))
                    .as("not after 3 intervals of silence: at once")
                    .isLessThan(INTERVAL.multipliedBy(3));
            String text = log.text();
            assertThat(text)
                    .contains(
                            "INFO Baton process " + previous + "@" + host + " of this host's previous "
                                    + "start is gone: its 3 agent instance(s) marked DOWN; the broker redelivers the tickets they had not answered");
            assertThat(text)
                    .contains(
                            "WARN process " + peer + "@" + host + " on this host is no longer running: its "
                                    + "1 agent instance(s) marked DOWN; the broker redelivers the tickets they had not answered");
            assertThat(text).doesNotContain("instance " + previous + "@").doesNotContain("is DOWN: no heartbeat");
        }
    }

    /** Takes the run's ticket off worker's queue as the worker's broker user and says {@code instance} works on it. */
    private static void claimAsWorker(String runId, String instance) throws Exception {
        String ticketId = (String) await().atMost(Duration.ofSeconds(30))
                .until(() -> baton.query("SELECT id FROM ticket WHERE run_id = ?", runId), rows -> !rows.isEmpty())
                .get(0)
                .get("id");
        try (Connection c = baton.agentConnections("worker").createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer =
                    s.createConsumer(s.createQueue("baton.agent.worker"), "JMSCorrelationID = '" + ticketId + "'");
            TextMessage ticket = (TextMessage) consumer.receive(30_000);
            assertThat(ticket).as("a ticket on baton.agent.worker").isNotNull();
            var t = Json.parse(ticket.getText());
            TextMessage progress = s.createTextMessage(Json.write(Json.object()
                    .put("ticketId", t.path("ticketId").asText())
                    .put("attempt", t.path("attempt").asInt())
                    .put("status", "progress")
                    .put("instance", instance)));
            progress.setJMSCorrelationID(t.path("ticketId").asText());
            s.createProducer(s.createQueue("baton.results")).send(progress);
        }
    }

    private static void heartbeat(String agent, String instance, Instant at) throws Exception {
        try (Connection c = baton.brokerConnections().createConnection()) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer p = s.createProducer(s.createTopic("baton.heartbeats"));
            p.send(
                    s.createTextMessage(Json.write(Json.object()
                            .put("type", "heartbeat")
                            .put("agent", agent)
                            .put("instance", instance)
                            .put("at", at.toString()))),
                    DeliveryMode.NON_PERSISTENT,
                    4,
                    INTERVAL.toMillis() * 3);
        }
    }

    /** The pid of a process that ran on this host and has exited. */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    private static int attempt(String runId) throws Exception {
        return ((Number) baton.query("SELECT attempt FROM ticket WHERE run_id = ?", runId)
                        .get(0)
                        .get("attempt"))
                .intValue();
    }

    private static Map<String, Object> history(String runId, int attempt, String status) throws Exception {
        return baton.query(
                        "SELECT detail, at FROM ticket_history WHERE run_id = ? AND attempt = ? AND status = ? "
                                + "ORDER BY seq",
                        runId,
                        attempt,
                        status)
                .get(0);
    }

    private static Instant at(Map<String, Object> row) {
        return ((Timestamp) row.get("at")).toInstant();
    }
}
