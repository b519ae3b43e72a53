package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.AgentProcess;
import dev.baton.BatonMain;
import dev.baton.ScriptedAgent;
import dev.baton.TestBaton;
import dev.baton.pipeline.Json;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agent health on the real broker and database, with heartbeats every 300 ms: heartbeats make an instance UP and
 * their absence DOWN; an agent process killed -9 while it holds a ticket is failed over to another instance and its
 * late reply is refused; agentSelector picks the least-loaded healthy agent and moves on when one goes DOWN.
 */
class AgentHealthTest {
    static final Duration INTERVAL = Duration.ofMillis(300);

    @TempDir
    static Path root;

    static TestBaton baton;
    static Heartbeats heartbeats;

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(root.resolve("config"));
        Files.writeString(
                root.resolve("config/application.properties"),
                "baton.agents.heartbeat-interval = " + INTERVAL.toMillis() + "ms\n");
        baton = TestBaton.start(root, """
                agents:
                  watched: {kind: external, role: probe, capabilities: [watch], maxConcurrency: 2, priority: 6}
                  worker: {kind: external, capabilities: [work]}
                  writer-a: {kind: external, role: writer, capabilities: [draft]}
                  writer-b: {kind: external, role: writer, capabilities: [draft, edit]}
                  helper: {kind: demo, output: {ok: true}}
                  drafter-demo: {kind: demo, capabilities: [demo-draft], output: {drafted: "{{ input }}"}}
                """, Map.of("demo-pick.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: demo-pick}
                spec:
                  params:
                    q: {default: hello}
                  pipeline:
                    stages:
                      - name: draft
                        agentSelector: {capabilities: [demo-draft]}
                        input: $.params.q
                        output: $.draft
                """, "failover.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: failover}
                spec:
                  pipeline:
                    stages:
                      - name: work
                        agent: worker
                        output: $.work
                        retry: {maxAttempts: 3, initialDelay: 100ms}
                      - name: check
                        dependsOn: [work]
                        agent: helper
                """, "pick.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: pick}
                spec:
                  agents:
                    writer-c: {role: critic, capabilities: [draft]}
                  pipeline:
                    stages:
                      - name: draft
                        agentSelector: {capabilities: [draft], role: writer}
                        output: $.draft
                        retry: {maxAttempts: 3, initialDelay: 100ms}
                """));
        heartbeats = new Heartbeats(baton.brokerConnections());
    }

    @AfterAll
    static void stop() throws Exception {
        if (heartbeats != null) heartbeats.close();
        if (baton != null) baton.close();
    }

    @Test
    void heartbeatsMakeAnInstanceUpAndTheirAbsenceMakesItDownInTheDatabase() throws Exception {
        heartbeats.beat("watched", "w1");
        JsonNode up = await().atMost(Duration.ofSeconds(30))
                .until(() -> agent("watched"), a -> a.path("health").asText().equals("UP"));
        assertThat(up.path("kind").asText()).isEqualTo("external");
        assertThat(up.path("role").asText()).isEqualTo("probe");
        assertThat(up.path("capabilities").toString()).isEqualTo("[\"watch\"]");
        assertThat(up.path("maxConcurrency").asInt()).isEqualTo(2);
        assertThat(up.path("priority").asInt()).isEqualTo(6);
        assertThat(Instant.parse(up.path("lastHeartbeat").asText()))
                .isAfter(Instant.now().minusSeconds(30));
        assertThat(up.path("instances").get(0).path("instance").asText()).isEqualTo("w1");
        assertThat(up.path("instances").get(0).path("health").asText()).isEqualTo("UP");
        assertThat(up.path("inFlight").asInt()).isZero();
        assertThat(up.has("queueDepth") && up.has("consumers")).isTrue();

        heartbeats.silence("watched", "w1");
        JsonNode down = await().atMost(Duration.ofSeconds(30))
                .until(() -> agent("watched"), a -> a.path("health").asText().equals("DOWN"));
        assertThat(down.path("instances").get(0).path("health").asText()).isEqualTo("DOWN");
        // The DOWN mark is in the database, for every Baton process and after a restart.
        await().atMost(Duration.ofSeconds(30))
                .until(() -> baton.query(
                                "SELECT status, down_at FROM agent_instance WHERE agent = 'watched' AND instance = 'w1'")
                        .get(0)
                        .get("status")
                        .equals("DOWN"));

        heartbeats.beat("watched", "w1");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> baton.query("SELECT status FROM agent_instance WHERE agent = 'watched'")
                        .get(0)
                        .get("status")
                        .equals("UP"));
        heartbeats.silence("watched", "w1");
    }

    @Test
    void aSelectorMayChooseADemoAgentOfTheRegistryThatNoPipelineNames() throws Exception {
        JsonNode run = baton.awaitRun(baton.startRun("demo-pick", "{}"), Duration.ofSeconds(60));
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.at("/context/draft/drafted").asText()).isEqualTo("hello");
        assertThat(run.at("/stages/0/tickets/0/agent").asText()).isEqualTo("drafter-demo");
    }

    @Test
    void aHeartbeatWithoutAnInstanceOrTooOldChangesNothing() throws Exception {
        heartbeats.raw("{\"type\": \"heartbeat\", \"agent\": \"ghost\"}");
        heartbeats.raw("not json");
        heartbeats.raw("{\"type\": \"heartbeat\", \"agent\": \"ghost\", \"instance\": \"g1\", "
                + "\"at\": \"2020-01-01T00:00:00Z\"}");
        // A good heartbeat sent after them is applied, so the bad ones were consumed (and dropped) before it.
        heartbeats.raw("{\"type\": \"heartbeat\", \"agent\": \"ghost-marker\", \"instance\": \"m1\"}");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !baton.query("SELECT 1 FROM agent_instance WHERE agent = 'ghost-marker'")
                        .isEmpty());
        assertThat(baton.query("SELECT * FROM agent_instance WHERE agent = 'ghost'"))
                .isEmpty();
    }

    @Test
    void theInProcessDemoAgentsSendHeartbeatsAndTheCliShowsEveryAgent() throws Exception {
        JsonNode helper = await().atMost(Duration.ofSeconds(30))
                .until(() -> agent("helper"), a -> a.path("health").asText().equals("UP"));
        assertThat(helper.path("kind").asText()).isEqualTo("demo");
        assertThat(helper.path("consumers").asInt())
                .as("the demo route's consumers, from the broker")
                .isEqualTo(4);
        assertThat(helper.path("queueDepth").asInt()).isZero();
        assertThat(agent("writer-c").path("role").asText())
                .as("from the pipeline's spec.agents")
                .isEqualTo("critic");

        String[] table =
                cli("agents", "--server", "http://127.0.0.1:" + baton.port).split("\n");
        assertThat(table[0])
                .startsWith("NAME")
                .contains("HEALTH", "LAST HEARTBEAT", "INSTANCES", "IN FLIGHT", "DEPTH", "CONSUMERS");
        String helperLine = java.util.Arrays.stream(table)
                .filter(l -> l.startsWith("helper "))
                .findFirst()
                .orElseThrow();
        assertThat(helperLine.split("\\s+")).contains("demo", "UP", "1/1", "4");
        JsonNode json = Json.parse(cli("agents", "--output", "json", "--server", "http://127.0.0.1:" + baton.port));
        assertThat(json.findValuesAsText("name"))
                .contains("watched", "worker", "writer-a", "writer-b", "helper", "writer-c");

        StringWriter err = new StringWriter();
        assertThat(BatonMain.execute(
                        new PrintWriter(new StringWriter(), true),
                        new PrintWriter(err, true),
                        "agents",
                        "--output",
                        "yaml",
                        "--server",
                        "http://127.0.0.1:" + baton.port))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--output").contains("'yaml'");
    }

    @Test
    void anAgentProcessKilledWhileItHoldsATicketIsFailedOverAndItsLateReplyIsRefused() throws Exception {
        int brokerPort = baton.server.settings().broker().port();
        baton.agentConnections("worker"); // the agent's own broker user, which AgentProcess logs in as
        AgentProcess doomed =
                AgentProcess.start(brokerPort, "worker", "w-doomed", INTERVAL, root.resolve("agent-process.log"));
        try {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> agent("worker").path("health").asText().equals("UP"));
            String runId = baton.startRun("failover", "{}");
            // The process took attempt 1 and said so (progress naming its instance): RUNNING, held by w-doomed.
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> !baton.query(
                                    "SELECT h.instance FROM ticket t "
                                            + "JOIN ticket_holder h ON h.ticket_id = t.id AND h.attempt = t.attempt WHERE t.run_id = ? "
                                            + "AND t.status = 'RUNNING' AND h.instance = 'w-doomed'",
                                    runId)
                            .isEmpty());
            JsonNode worker = agent("worker");
            assertThat(worker.path("inFlight").asInt()).isEqualTo(1);
            assertThat(worker.path("instances").get(0).path("instance").asText())
                    .isEqualTo("w-doomed");

            doomed.kill9();
            // No timeout on the stage: the DOWN mark ends the lease, and attempt 2 is queued for another instance.
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> baton.query(
                                    "SELECT attempt FROM ticket WHERE run_id = ?" + " AND stage = 'work'", runId)
                            .get(0)
                            .get("attempt")
                            .equals(2));
            JsonNode failed = history(runId, "FAILED").get(0);
            assertThat(failed.path("detail").asText())
                    .startsWith("instance w-doomed of agent worker is DOWN " + "(last heartbeat ")
                    .contains("lease ended on attempt 1; re-dispatched as attempt 2");
            assertThat(failed.path("attempt").asInt()).isEqualTo(1);

            // The killed instance's reply, had it come late, is refused and recorded: its attempt is not current.
            heartbeats.reply(
                    Json.object()
                            .put("ticketId", failed.path("ticketId").asText())
                            .put("attempt", 1),
                    "w-doomed");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !history(runId, "REFUSED").isEmpty());
            JsonNode refused = history(runId, "REFUSED").get(0);
            assertThat(refused.path("attempt").asInt()).isEqualTo(1);
            assertThat(refused.path("detail").asText())
                    .isEqualTo("stale attempt 1; the current attempt is 2 (from instance w-doomed)");

            heartbeats.beat("worker", "w-spare");
            try (ScriptedAgent spare = ScriptedAgent.start(
                    baton, "worker", t -> ScriptedAgent.succeed(Json.object().put("by", "spare")))) {
                JsonNode run = baton.awaitRun(runId, Duration.ofSeconds(60));
                assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
                assertThat(run.at("/context/work/by").asText())
                        .as("the refused reply changed nothing")
                        .isEqualTo("spare");
                assertThat(run.at("/stages/0/attempts").asInt()).isEqualTo(2);
                assertThat(spare.tickets).hasSize(1);
                assertThat(spare.tickets.get(0).path("attempt").asInt()).isEqualTo(2);
            }
        } finally {
            doomed.kill9();
            heartbeats.silence("worker", "w-spare");
        }
    }

    @Test
    void agentSelectorPicksTheLeastLoadedHealthyAgentAndMovesOnWhenItGoesDown() throws Exception {
        heartbeats.beat("writer-a", "a1");
        heartbeats.beat("writer-b", "b1");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> agent("writer-a").path("health").asText().equals("UP")
                        && agent("writer-b").path("health").asText().equals("UP"));
        try {
            // Nobody consumes yet: the first ticket waits QUEUED on writer-a (a tie goes to the first declared),
            // so the second goes to writer-b, the less loaded.
            String first = baton.startRun("pick", "{}");
            await().atMost(Duration.ofSeconds(30)).until(() -> "writer-a".equals(ticketAgent(first)));
            String second = baton.startRun("pick", "{}");
            await().atMost(Duration.ofSeconds(30)).until(() -> "writer-b".equals(ticketAgent(second)));
            assertThat(history(second, "QUEUED").get(0).path("detail").asText())
                    .isEqualTo(
                            "agentSelector "
                                    + "{capabilities: [draft], role: writer} chose writer-b (writer-b UP load 0, writer-a UP load 1)");
            assertThat(agent("writer-a").path("queued").asInt()).isEqualTo(1);
            assertThat(agent("writer-a").path("queueDepth").asInt())
                    .as("from the broker")
                    .isEqualTo(1);

            // writer-b takes its ticket, says so, and goes silent: the retry chooses writer-a, the only one UP.
            try (var b = ScriptedAgent.start(baton, "writer-b", t -> {
                var progress = Json.object().put("status", "progress").put("instance", "b1");
                return progress;
            })) {
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> !baton.query(
                                        "SELECT 1 FROM ticket_holder h JOIN "
                                                + "ticket t ON t.id = h.ticket_id WHERE t.run_id = ? AND h.instance = 'b1' AND t.status = "
                                                + "'RUNNING'",
                                        second)
                                .isEmpty());
                heartbeats.silence("writer-b", "b1");
                await().atMost(Duration.ofSeconds(30)).until(() -> "writer-a".equals(ticketAgent(second)));
            }
            try (var a = ScriptedAgent.start(
                    baton,
                    "writer-a",
                    t -> ScriptedAgent.succeed(
                            Json.object().put("by", t.path("agent").asText())))) {
                for (String run : List.of(first, second)) {
                    JsonNode r = baton.awaitRun(run, Duration.ofSeconds(60));
                    assertThat(r.path("status").asText()).isEqualTo("SUCCEEDED");
                    assertThat(r.at("/context/draft/by").asText()).isEqualTo("writer-a");
                }
            }
            List<JsonNode> queued = history(second, "QUEUED");
            assertThat(queued).hasSize(2);
            assertThat(queued.get(1).path("agent").asText()).isEqualTo("writer-a");
            assertThat(queued.get(1).path("detail").asText()).contains("chose writer-a (writer-a UP", "writer-b DOWN");
        } finally {
            heartbeats.silence("writer-a", "a1");
            heartbeats.silence("writer-b", "b1");
        }
    }

    private static String ticketAgent(String runId) throws Exception {
        var rows = baton.query("SELECT agent FROM ticket WHERE run_id = ?", runId);
        return rows.isEmpty() ? null : (String) rows.get(0).get("agent");
    }

    private static JsonNode agent(String name) throws Exception {
        TestBaton.Response r = baton.get("/api/agents");
        assertThat(r.status()).isEqualTo(200);
        for (JsonNode a : r.body()) {
            if (a.path("name").asText().equals(name)) return a;
        }
        throw new AssertionError("no agent " + name + " in " + r.body());
    }

    private static List<JsonNode> history(String runId, String status) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        baton.get("/api/runs/" + runId + "/history").body().forEach(h -> {
            if (h.path("status").asText().equals(status)) out.add(h);
        });
        return out;
    }

    private static String cli(String... args) {
        var result = dev.baton.cli.CliTest.runAs("admin", args);
        assertThat(result.exit()).as(result.err()).isZero();
        return result.out();
    }

    /** Heartbeats from the test, as agent instances would send them, every {@link #INTERVAL}. */
    static final class Heartbeats implements AutoCloseable {
        private final Connection connection;
        private final Session session;
        private final MessageProducer producer;
        private final Set<String> beating = ConcurrentHashMap.newKeySet();
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

        Heartbeats(ActiveMQConnectionFactory connections) throws Exception {
            connection = connections.createConnection();
            connection.start();
            session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            producer = session.createProducer(null);
            timer.scheduleAtFixedRate(this::sendAll, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        }

        void beat(String agent, String instance) {
            beating.add(agent + "/" + instance);
            sendAll();
        }

        void silence(String agent, String instance) {
            beating.remove(agent + "/" + instance);
        }

        private synchronized void sendAll() {
            for (String key : beating) {
                String[] ai = key.split("/");
                try {
                    TextMessage m = session.createTextMessage(Json.write(Json.object()
                            .put("type", "heartbeat")
                            .put("agent", ai[0])
                            .put("instance", ai[1])
                            .put("at", Instant.now().toString())));
                    producer.send(
                            session.createTopic("baton.heartbeats"),
                            m,
                            DeliveryMode.NON_PERSISTENT,
                            4,
                            INTERVAL.toMillis() * 3);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        /** Any text on baton.heartbeats. */
        synchronized void raw(String body) throws Exception {
            producer.send(session.createTopic("baton.heartbeats"), session.createTextMessage(body));
        }

        /** A reply as a (dead) instance would have sent it. */
        synchronized void reply(JsonNode ticket, String instance) throws Exception {
            var body = Json.object()
                    .put("ticketId", ticket.path("ticketId").asText())
                    .put("attempt", ticket.path("attempt").asInt())
                    .put("status", "succeeded")
                    .put("instance", instance);
            body.putObject("output").put("by", "the dead");
            TextMessage m = session.createTextMessage(Json.write(body));
            m.setJMSCorrelationID(ticket.path("ticketId").asText());
            producer.send(session.createQueue("baton.results"), m);
        }

        @Override
        public void close() throws Exception {
            timer.shutdownNow();
            connection.close();
        }
    }
}
