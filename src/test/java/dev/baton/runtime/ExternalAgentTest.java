package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import dev.baton.pipeline.Json;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent protocol from the outside: a plain JMS client over TCP reads tickets from its queue and replies on
 * baton.results; an attempt whose lease expires is re-dispatched, and the late reply of the old attempt is refused.
 */
class ExternalAgentTest {
    @TempDir
    static Path root;

    static TestBaton baton;

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(root, """
                agents:
                  outside: {kind: external}
                """, Map.of("ext.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: ext}
                spec:
                  params:
                    q: {default: why}
                  pipeline:
                    stages:
                      - name: ask
                        agent: outside
                        input: "$.params.q"
                        output: "$.answer"
                        timeout: 1s
                        retry: {maxAttempts: 2, initialDelay: 100ms}
                        priority: 7
                """));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    @Test
    void aLateReplyForAnExpiredAttemptIsRefusedAndTheCurrentAttemptCompletesTheRun() throws Exception {
        try (Agent agent = Agent.connect()) {
            Session s = agent.session();
            MessageConsumer tickets = s.createConsumer(s.createQueue("baton.agent.outside"));
            String runId = baton.startRun("ext", "{}");

            TextMessage first = (TextMessage) tickets.receive(10_000);
            JsonNode t1 = Json.parse(first.getText());
            assertThat(t1.path("runId").asText()).isEqualTo(runId);
            assertThat(t1.path("stage").asText()).isEqualTo("ask");
            assertThat(t1.path("agent").asText()).isEqualTo("outside");
            assertThat(t1.path("attempt").asInt()).isEqualTo(1);
            assertThat(t1.path("input").asText()).isEqualTo("why");
            assertThat(t1.path("params").path("q").asText()).isEqualTo("why");
            assertThat(t1.path("deadline").asText()).isNotBlank();
            // tracing is off unless configured: no trace context to join
            assertThat(t1.has("traceparent")).isFalse();
            assertThat(first.getJMSCorrelationID())
                    .isEqualTo(t1.path("ticketId").asText());
            assertThat(first.getJMSReplyTo().toString()).contains("baton.results");
            assertThat(first.getJMSPriority()).isEqualTo(7);

            // no reply: the 1 s lease expires and the ticket comes again as attempt 2
            TextMessage second = (TextMessage) tickets.receive(15_000);
            JsonNode t2 = Json.parse(second.getText());
            assertThat(t2.path("ticketId").asText())
                    .isEqualTo(t1.path("ticketId").asText());
            assertThat(t2.path("attempt").asInt()).isEqualTo(2);

            var results = s.createProducer(s.createQueue("baton.results"));
            results.send(reply(
                    s,
                    t1,
                    "{\"status\": \"succeeded\", \"output\": \"too late\", " + "\"usage\": {\"totalTokens\": 7}}"));
            await().atMost(Duration.ofSeconds(10)).until(() -> statuses(runId).contains("REFUSED"));
            results.send(reply(
                    s,
                    t2,
                    "{\"status\": \"succeeded\", \"output\": \"because\", " + "\"usage\": {\"totalTokens\": 5}}"));
            baton.awaitRun(runId, Duration.ofSeconds(10));
            JsonNode run = baton.get("/api/runs/" + runId).body();

            assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(run.at("/context/answer").asText()).isEqualTo("because");
            assertThat(run.at("/stages/0/attempts").asInt()).isEqualTo(2);
            // the refused reply changed nothing, but the tokens behind it were spent all the same
            assertThat(run.at("/stages/0/tickets/0/usage/totalTokens").asLong()).isEqualTo(12);
            assertThat(run.at("/usage/tokens").asLong()).isEqualTo(12);
            JsonNode history = baton.get("/api/runs/" + runId + "/history").body();
            JsonNode refused = null;
            JsonNode expired = null;
            for (JsonNode h : history) {
                if (h.path("status").asText().equals("REFUSED")) refused = h;
                if (h.path("status").asText().equals("FAILED")) expired = h;
            }
            assertThat(expired.path("detail").asText()).startsWith("lease of 1s expired on attempt 1; retrying in");
            assertThat(refused.path("attempt").asInt()).isEqualTo(1);
            assertThat(refused.path("detail").asText()).isEqualTo("stale attempt 1; the current attempt is 2");
            JsonNode event = baton.get("/api/runs/" + runId + "/events")
                    .body()
                    .get(refused.path("seq").asInt() - 1);
            assertThat(event.path("type").asText() + " " + event.path("status").asText() + " "
                            + event.path("attempt").asInt())
                    .isEqualTo("ticket REFUSED 1");
            assertThat(event.path("actor").asText())
                    .isEqualTo(refused.path("agent").asText());
        }
    }

    @Test
    void progressRenewsTheLeaseSoASlowButLivelyAgentKeepsItsAttempt() throws Exception {
        try (Agent agent = Agent.connect()) {
            Session s = agent.session();
            MessageConsumer tickets = s.createConsumer(s.createQueue("baton.agent.outside"));
            var results = s.createProducer(s.createQueue("baton.results"));
            String runId = baton.startRun("ext", "{\"q\": \"slow\"}");
            JsonNode t = Json.parse(((TextMessage) tickets.receive(10_000)).getText());
            // report progress for 2.5 s, longer than the 1 s lease, then succeed on the same attempt
            for (int i = 1; i <= 5; i++) {
                results.send(reply(s, t, "{\"status\": \"progress\", \"percent\": " + (i * 20) + "}"));
                await().pollDelay(Duration.ofMillis(500)).until(() -> true); // the agent works on for 500 ms
            }
            results.send(reply(s, t, "{\"status\": \"succeeded\", \"output\": \"finally\"}"));
            JsonNode run = baton.awaitRun(runId, Duration.ofSeconds(10));
            assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(run.at("/stages/0/attempts").asInt())
                    .as("the lease never expired")
                    .isEqualTo(1);
            assertThat(tickets.receiveNoWait()).as("no second dispatch").isNull();
        }
    }

    @Test
    void aMessageThatIsNotAReplyIsDeadLetteredWithItsReason() throws Exception {
        try (Agent agent = Agent.connect();
                Connection admin = baton.brokerConnections().createConnection()) {
            Session s = agent.session();
            s.createProducer(s.createQueue("baton.results")).send(s.createTextMessage("{not json"));
            admin.start();
            Session a = admin.createSession(false, Session.AUTO_ACKNOWLEDGE);
            TextMessage parked =
                    (TextMessage) a.createConsumer(a.createQueue("baton.DLQ")).receive(10_000);
            assertThat(parked).isNotNull();
            assertThat(parked.getText()).isEqualTo("{not json");
            assertThat(parked.getStringProperty("BatonDeadLetterReason")).startsWith("reply is not JSON");
        }
    }

    /** An agent process's view of the broker: a plain JMS connection over TCP, logged in as the agent's user. */
    private record Agent(Connection connection, Session session) implements AutoCloseable {
        static Agent connect() throws Exception {
            Connection c = baton.agentConnections("outside").createConnection();
            c.start();
            return new Agent(c, c.createSession(false, Session.AUTO_ACKNOWLEDGE));
        }

        @Override
        public void close() throws Exception {
            connection.close();
        }
    }

    private static TextMessage reply(Session s, JsonNode ticket, String fields) throws Exception {
        var body = (com.fasterxml.jackson.databind.node.ObjectNode) Json.parse(fields);
        body.put("ticketId", ticket.path("ticketId").asText())
                .put("attempt", ticket.path("attempt").asInt());
        TextMessage m = s.createTextMessage(Json.write(body));
        m.setJMSCorrelationID(ticket.path("ticketId").asText());
        return m;
    }

    private static List<String> statuses(String runId) throws Exception {
        List<String> out = new ArrayList<>();
        baton.get("/api/runs/" + runId + "/history")
                .body()
                .forEach(h -> out.add(h.path("status").asText()));
        return out;
    }
}
