package dev.baton.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.StompClient;
import dev.baton.TestBaton;
import dev.baton.pipeline.Json;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one agent's broker user can do to others with real logins (issue 18): heartbeats bound to their sender, a
 * bounded number of instances per agent, bounded replies, and floods of refused replies that do not grow the store.
 */
class AgentAbuseTest {
    @TempDir
    static Path root;

    static TestBaton baton;

    static final String WORK = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: NAME}
            spec:
              pipeline:
                stages:
                  - {name: work, agent: AGENT, input: "$.params", output: "$.work", timeout: 10m}
            """;

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(root.resolve("config"));
        Files.writeString(root.resolve("config/application.properties"), """
                baton.agents.max-instances = 3
                baton.agents.max-output-size = 65536
                """);
        baton = TestBaton.start(
                root,
                """
                agents:
                  alpha: {kind: external}
                  beta: {kind: external}
                  gamma: {kind: external}
                  delta: {kind: external}
                  epsilon: {kind: external}
                  zeta: {kind: external}
                """,
                Map.of(
                        "z.yaml",
                        WORK.replace("NAME", "z").replace("AGENT", "zeta"),
                        "a.yaml",
                        WORK.replace("NAME", "a").replace("AGENT", "alpha"),
                        "g.yaml",
                        WORK.replace("NAME", "g").replace("AGENT", "gamma"),
                        "d.yaml",
                        WORK.replace("NAME", "d").replace("AGENT", "delta"),
                        "e.yaml",
                        WORK.replace("NAME", "e").replace("AGENT", "epsilon")));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    private static String heartbeat(String agent, String instance, String... inFlight) {
        ObjectNode hb =
                Json.object().put("type", "heartbeat").put("agent", agent).put("instance", instance);
        var arr = hb.putArray("inFlight");
        for (String t : inFlight) arr.add(t);
        return Json.write(hb);
    }

    /** Sends on baton.heartbeats as {@code user}'s broker login, with any forged properties. */
    private static void beatAs(String user, String body, Map<String, String> properties) throws Exception {
        try (Connection c = baton.agentConnections(user).createConnection()) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            TextMessage m = s.createTextMessage(body);
            for (var p : properties.entrySet()) m.setStringProperty(p.getKey(), p.getValue());
            s.createProducer(s.createTopic("baton.heartbeats")).send(m);
        }
    }

    private static void replyAs(String user, ObjectNode reply) throws Exception {
        try (Connection c = baton.agentConnections(user).createConnection()) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            TextMessage m = s.createTextMessage(Json.write(reply));
            m.setJMSCorrelationID(reply.path("ticketId").asText());
            s.createProducer(s.createQueue("baton.results")).send(m);
        }
    }

    private static List<Map<String, Object>> instances(String agent) throws Exception {
        return baton.query("SELECT instance, status FROM agent_instance WHERE agent = ? ORDER BY instance", agent);
    }

    /** The value of {@code baton_heartbeats_refused_total} for this user and reason on /api/metrics (0 if absent). */
    private static double refusedHeartbeats(String user, String reason) throws Exception {
        Matcher m = Pattern.compile("(?m)^baton_heartbeats_refused_total\\{([^}]*)\\} (\\S+)$")
                .matcher(baton.getText("/api/metrics"));
        while (m.find()) {
            if (m.group(1).contains("user=\"" + user + "\"") && m.group(1).contains("reason=\"" + reason + "\"")) {
                return Double.parseDouble(m.group(2));
            }
        }
        return 0;
    }

    /**
     * Waits until a marker heartbeat of Baton's own user is applied: everything sent before it was consumed. Each
     * marker is an agent of its own: a fourth instance of one would be refused (max-instances is 3 here).
     */
    private static void drained(String marker) throws Exception {
        try (Connection c = baton.brokerConnections().createConnection()) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            s.createProducer(s.createTopic("baton.heartbeats")).send(s.createTextMessage(heartbeat(marker, "m")));
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !baton.query("SELECT 1 FROM agent_instance WHERE agent = ?", marker)
                        .isEmpty());
    }

    @Test
    void aHeartbeatForAnotherAgentIsRefusedCountedAndNotApplied() throws Exception {
        double before = refusedHeartbeats("beta", "other-agent");
        // beta speaks for alpha, for an agent nobody declared, and forges the property the broker stamps
        beatAs("beta", heartbeat("alpha", "fake-1"), Map.of());
        beatAs("beta", heartbeat("ghost", "g1"), Map.of());
        beatAs("beta", heartbeat("alpha", "fake-2"), Map.of("_AMQ_VALIDATED_USER", "alpha", "JMSXUserID", "alpha"));
        drained("m-other-agent");
        assertThat(instances("alpha")).isEmpty();
        assertThat(instances("ghost")).isEmpty();
        assertThat(refusedHeartbeats("beta", "other-agent")).isEqualTo(before + 3);
        JsonNode agents = baton.get("/api/agents").body();
        assertThat(agents.toString()).doesNotContain("ghost").doesNotContain("fake-1");

        // alpha's own heartbeat is applied
        beatAs("alpha", heartbeat("alpha", "real-1"), Map.of());
        await().atMost(Duration.ofSeconds(30)).until(() -> instances("alpha").size() == 1);
        assertThat(instances("alpha").get(0).get("instance")).isEqualTo("real-1");
    }

    @Test
    void aHeartbeatOverStompForAnotherAgentIsRefusedToo() throws Exception {
        double before = refusedHeartbeats("beta", "other-agent");
        try (StompClient stomp = StompClient.connect(
                baton.server.settings().broker().stompPort(), "beta", TestBaton.agentPassword("beta"))) {
            stomp.send(
                    "SEND",
                    Map.of(
                            "destination",
                            "baton.heartbeats",
                            "destination-type",
                            "MULTICAST",
                            "_AMQ_VALIDATED_USER",
                            "gamma"),
                    heartbeat("gamma", "stomp-fake"));
            stomp.send(
                    "SEND",
                    Map.of("destination", "baton.heartbeats", "destination-type", "MULTICAST"),
                    heartbeat("beta", "stomp-real"));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> instances("beta").size() == 1);
        drained("m-stomp");
        assertThat(instances("gamma")).extracting(r -> r.get("instance")).doesNotContain("stomp-fake");
        assertThat(refusedHeartbeats("beta", "other-agent")).isEqualTo(before + 1);
    }

    /** A ticket id is enough to claim a ticket by inFlight; only the agent's own user may. */
    @Test
    void anotherAgentsUserCannotClaimATicketByHeartbeatOrProgress() throws Exception {
        Connection gammaConnection = baton.agentConnections("gamma").createConnection();
        try (gammaConnection) {
            gammaConnection.start();
            Session s = gammaConnection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer tickets = s.createConsumer(s.createQueue("baton.agent.gamma"));
            String runId = baton.startRun("g", "{}");
            JsonNode t = Json.parse(((TextMessage) tickets.receive(30_000)).getText());
            String ticketId = t.path("ticketId").asText();

            beatAs("beta", heartbeat("gamma", "thief", ticketId), Map.of());
            replyAs(
                    "beta",
                    Json.object()
                            .put("ticketId", ticketId)
                            .put("attempt", 1)
                            .put("status", "progress")
                            .put("instance", "thief"));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> baton.query(
                                            "SELECT 1 FROM ticket_history WHERE ticket_id = ? AND status = 'REFUSED'",
                                            ticketId)
                                    .size()
                            == 1);
            drained("m-claim");
            assertThat(baton.query("SELECT * FROM ticket_holder WHERE ticket_id = ?", ticketId))
                    .isEmpty();
            assertThat(instances("gamma")).extracting(r -> r.get("instance")).doesNotContain("thief");

            // gamma's own claim counts
            beatAs("gamma", heartbeat("gamma", "g-1", ticketId), Map.of());
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> baton.query("SELECT instance FROM ticket_holder WHERE ticket_id = ?", ticketId)
                                    .size()
                            == 1);
            assertThat(baton.query("SELECT instance FROM ticket_holder WHERE ticket_id = ?", ticketId)
                            .get(0)
                            .get("instance"))
                    .isEqualTo("g-1");
            replyAs(
                    "gamma",
                    Json.object()
                            .put("ticketId", ticketId)
                            .put("attempt", 1)
                            .put("status", "succeeded")
                            .put("output", "done"));
            assertThat(baton.awaitRun(runId, Duration.ofSeconds(30))
                            .path("status")
                            .asText())
                    .isEqualTo("SUCCEEDED");
        }
    }

    @Test
    void anAgentMayRegisterOnlyMaxInstancesAndADownOneMakesRoom() throws Exception {
        double before = refusedHeartbeats("delta", "too-many-instances");
        for (String i : List.of("d-1", "d-2", "d-3")) beatAs("delta", heartbeat("delta", i), Map.of());
        await().atMost(Duration.ofSeconds(30)).until(() -> instances("delta").size() == 3);
        // an attacker's hundred instance names: refused, not stored
        for (int i = 0; i < 100; i++) beatAs("delta", heartbeat("delta", "flood-" + i), Map.of());
        beatAs("delta", heartbeat("delta", "d-1"), Map.of()); // a known instance still beats
        drained("m-instances");
        assertThat(instances("delta")).extracting(r -> r.get("instance")).containsExactly("d-1", "d-2", "d-3");
        assertThat(refusedHeartbeats("delta", "too-many-instances")).isEqualTo(before + 100);

        // an instance DOWN (as the sweep marks it) is forgotten to make room for a new one
        try (java.sql.Connection db = baton.server.dataSource().getConnection();
                var ps = db.prepareStatement("UPDATE agent_instance SET status = 'DOWN', down_at = last_heartbeat "
                        + "WHERE agent = 'delta' AND instance = 'd-2'")) {
            assertThat(ps.executeUpdate()).isEqualTo(1);
            if (!db.getAutoCommit()) db.commit();
        }
        beatAs("delta", heartbeat("delta", "d-4"), Map.of());
        await().atMost(Duration.ofSeconds(30))
                .until(() -> instances("delta").stream()
                        .anyMatch(r -> r.get("instance").equals("d-4")));
        assertThat(instances("delta")).extracting(r -> r.get("instance")).containsExactly("d-1", "d-3", "d-4");
    }

    @Test
    void aReplyLargerThanTheLimitFailsTheAttemptAndIsNotStored() throws Exception {
        Connection c = baton.agentConnections("alpha").createConnection();
        try (c) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer tickets = s.createConsumer(s.createQueue("baton.agent.alpha"));
            String runId = baton.startRun("a", "{}");
            JsonNode t = Json.parse(((TextMessage) tickets.receive(30_000)).getText());
            String big = "é".repeat(40_000); // 80,000 bytes of UTF-8, 40,000 characters: the limit counts bytes
            replyAs(
                    "alpha",
                    Json.object()
                            .put("ticketId", t.path("ticketId").asText())
                            .put("attempt", 1)
                            .put("status", "succeeded")
                            .put("output", big));
            JsonNode run = baton.awaitRun(runId, Duration.ofSeconds(30));
            assertThat(run.path("status").asText()).isEqualTo("FAILED");
            assertThat(run.path("error").asText())
                    .contains("larger than baton.agents.max-output-size (65536 bytes); " + "its output was not stored");
            assertThat(run.at("/context/work").isMissingNode()).isTrue();
            String stored = Json.write(baton.get("/api/runs/" + runId).body());
            assertThat(stored).doesNotContain("éééé");
            assertThat(stored.length()).isLessThan(20_000);
            assertThat(baton.query("SELECT output FROM ticket WHERE run_id = ?", runId)
                            .get(0)
                            .get("output"))
                    .isNull();
        }
    }

    /** Twenty-five copies of one late reply, then a hundred different stale attempts: one row, then a bounded few. */
    @Test
    void aFloodOfRefusedRepliesIsCountedNotWrittenRowByRow() throws Exception {
        Connection c = baton.agentConnections("epsilon").createConnection();
        try (c) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer tickets = s.createConsumer(s.createQueue("baton.agent.epsilon"));
            String runId = baton.startRun("e", "{}");
            JsonNode t = Json.parse(((TextMessage) tickets.receive(30_000)).getText());
            String ticketId = t.path("ticketId").asText();
            replyAs(
                    "epsilon",
                    Json.object()
                            .put("ticketId", ticketId)
                            .put("attempt", 1)
                            .put("status", "succeeded")
                            .put("output", "first"));
            assertThat(baton.awaitRun(runId, Duration.ofSeconds(30))
                            .path("status")
                            .asText())
                    .isEqualTo("SUCCEEDED");
            long inbox = count("SELECT COUNT(*) AS n FROM inbox");

            for (int i = 0; i < 25; i++) {
                replyAs(
                        "epsilon",
                        Json.object()
                                .put("ticketId", ticketId)
                                .put("attempt", 1)
                                .put("status", "succeeded")
                                .put("output", "again"));
            }
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> count("SELECT COALESCE(SUM(repeats), 0) AS n FROM "
                                    + "ticket_history WHERE ticket_id = '" + ticketId + "' AND status = 'REFUSED'")
                            == 24);
            List<Map<String, Object>> refused = baton.query(
                    "SELECT detail, repeats FROM ticket_history " + "WHERE ticket_id = ? AND status = 'REFUSED'",
                    ticketId);
            assertThat(refused).hasSize(1);
            assertThat(refused.get(0).get("detail")).isEqualTo("run is already SUCCEEDED");
            JsonNode row = baton.get("/api/runs/" + runId + "/history").body().findParents("status").stream()
                    .filter(h -> h.path("status").asText().equals("REFUSED"))
                    .findFirst()
                    .orElseThrow();
            assertThat(row.path("repeats").asInt()).isEqualTo(24);
            assertThat(row.path("repeatedAt").asText()).isNotBlank();

            // an attacker varies what it can: the attempt number and the instance it names
            for (int i = 2; i < 102; i++) {
                replyAs(
                        "epsilon",
                        Json.object()
                                .put("ticketId", ticketId)
                                .put("attempt", i)
                                .put("status", "failed")
                                .put("instance", "i-" + i));
            }
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> count("SELECT COALESCE(SUM(repeats), 0) + COUNT(*) "
                                    + "AS n FROM ticket_history WHERE ticket_id = '" + ticketId
                                    + "' AND status = 'REFUSED'")
                            == 125);
            assertThat(count("SELECT COUNT(*) AS n FROM ticket_history WHERE ticket_id = '" + ticketId
                            + "' AND status = 'REFUSED'"))
                    .isEqualTo(20);
            // the copies left no inbox rows behind: only the first of each kind of refusal is remembered
            assertThat(count("SELECT COUNT(*) AS n FROM inbox")).isLessThanOrEqualTo(inbox + 20);
        }
    }

    /** An agent of its own reporting progress in a tight loop: each renews the lease, none stays in the inbox. */
    @Test
    void progressInATightLoopLeavesNoRowsBehind() throws Exception {
        Connection c = baton.agentConnections("zeta").createConnection();
        try (c) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer tickets = s.createConsumer(s.createQueue("baton.agent.zeta"));
            String runId = baton.startRun("z", "{}");
            String ticketId = Json.parse(((TextMessage) tickets.receive(30_000)).getText())
                    .path("ticketId")
                    .asText();
            replyAs(
                    "zeta",
                    Json.object().put("ticketId", ticketId).put("attempt", 1).put("status", "progress"));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> baton.query("SELECT 1 FROM ticket WHERE id = ? AND status = 'RUNNING'", ticketId)
                                    .size()
                            == 1);
            long inbox = count("SELECT COUNT(*) AS n FROM inbox");
            long history = count("SELECT COUNT(*) AS n FROM ticket_history");
            Object lease = baton.query("SELECT lease_until FROM ticket WHERE id = ?", ticketId)
                    .get(0)
                    .get("lease_until");
            for (int i = 0; i < 50; i++) {
                replyAs(
                        "zeta",
                        Json.object()
                                .put("ticketId", ticketId)
                                .put("attempt", 1)
                                .put("status", "progress")
                                .put("percent", i)
                                .put("message", "step " + i));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> resultsDepth() == 0);
            assertThat(baton.query("SELECT lease_until FROM ticket WHERE id = ?", ticketId)
                            .get(0)
                            .get("lease_until"))
                    .as("renewed")
                    .isNotEqualTo(lease);
            replyAs(
                    "zeta",
                    Json.object()
                            .put("ticketId", ticketId)
                            .put("attempt", 1)
                            .put("status", "succeeded")
                            .put("output", "done"));
            assertThat(baton.awaitRun(runId, Duration.ofSeconds(30))
                            .path("status")
                            .asText())
                    .isEqualTo("SUCCEEDED");
            // the final reply is remembered (one inbox row), the fifty progress reports are not
            assertThat(count("SELECT COUNT(*) AS n FROM inbox")).isLessThanOrEqualTo(inbox + 1);
            // and they wrote no history: the run's rows are its own transitions only
            assertThat(count("SELECT COUNT(*) AS n FROM ticket_history")).isLessThan(history + 10);
        }
    }

    /** Messages on baton.results, those being delivered included: 0 once every reply sent has been applied. */
    private static long resultsDepth() throws Exception {
        try (Connection c = baton.brokerConnections().createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            var request = s.createMessage();
            org.apache.activemq.artemis.api.jms.management.JMSManagementHelper.putAttribute(
                    request, "queue.baton.results", "messageCount");
            var reply = new jakarta.jms.QueueRequestor(
                            (jakarta.jms.QueueSession) s, s.createQueue("activemq.management"))
                    .request(request);
            return ((Number) org.apache.activemq.artemis.api.jms.management.JMSManagementHelper.getResult(reply))
                    .longValue();
        }
    }

    private static long count(String sql) throws Exception {
        Object n = baton.query(sql).get(0).values().iterator().next();
        return ((Number) n).longValue();
    }
}
