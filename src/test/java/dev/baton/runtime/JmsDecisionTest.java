package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import dev.baton.pipeline.Json;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JMS decisions are answered even when seen before, and are not deduplicated by their body. */
class JmsDecisionTest {
    @TempDir
    static Path root;

    static TestBaton baton;

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(root, """
                agents:
                  flaky: {kind: demo, failFirstAttempts: 1, output: {done: true}}
                """, Map.of("both.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: both}
                spec:
                  pipeline:
                    stages:
                      - name: gate
                        approval: {approvers: [alice, bob], policy: all}
                      - {name: after, dependsOn: [gate], agent: flaky}
                """, "one.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: one}
                spec:
                  pipeline:
                    stages:
                      - name: gate
                        approval: {approvers: [alice]}
                      - {name: after, dependsOn: [gate], agent: flaky}
                """));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    private static String gate(String runId) throws Exception {
        for (JsonNode s : baton.get("/api/runs/" + runId).body().path("stages")) {
            if (s.path("name").asText().equals("gate")) {
                return s.path("status").asText();
            }
        }
        throw new AssertionError();
    }

    /**
     * A decision sender as STOMP and AMQP clients often are: no JMS message ids, answers on a temporary queue.
     */
    private static final class Decider implements AutoCloseable {
        private final Connection connection;
        private final Session session;
        private final MessageProducer producer;
        private final jakarta.jms.Queue replies;
        private final MessageConsumer answers;

        Decider() throws Exception {
            var cf = baton.brokerConnections();
            connection = cf.createConnection();
            connection.start();
            session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            replies = session.createTemporaryQueue();
            answers = session.createConsumer(replies);
            producer = session.createProducer(session.createQueue("baton.approvals"));
            producer.setDisableMessageID(true);
        }

        /** Alice approves the run's gate; the answer, or null when none comes within 5 s. */
        JsonNode approve(String runId, String correlation) throws Exception {
            TextMessage m = session.createTextMessage(Json.write(Json.object()
                    .put("runId", runId)
                    .put("stage", "gate")
                    .put("decision", "approve")
                    .put("approver", "alice")));
            m.setJMSReplyTo(replies);
            m.setJMSCorrelationID(correlation);
            producer.send(m);
            Message reply = answers.receive(5_000);
            return reply == null ? null : Json.parse(((TextMessage) reply).getText());
        }

        @Override
        public void close() throws Exception {
            connection.close();
        }
    }

    @Test
    void aDecisionSeenBeforeIsAnsweredAgain() throws Exception {
        String id = baton.startRun("both", "{}");
        await().atMost(Duration.ofSeconds(10)).until(() -> gate(id).equals("WAITING_APPROVAL"));
        try (Decider decider = new Decider()) {
            assertThat(decider.approve(id, "d1").path("verdict").asText()).isEqualTo("COUNTED");
            // the same message again, as a redelivery after "DB committed, JMS not" would be
            JsonNode second = decider.approve(id, "d2");
            assertThat(second).as("a repeated decision is answered").isNotNull();
            assertThat(second.path("verdict").asText()).isEqualTo("REPEATED");
            assertThat(second.path("decisions")).hasSize(1);
        }
    }

    @Test
    void theSameDecisionAfterARerunIsCounted() throws Exception {
        String id = baton.startRun("one", "{}");
        await().atMost(Duration.ofSeconds(10)).until(() -> gate(id).equals("WAITING_APPROVAL"));
        try (Decider decider = new Decider()) {
            assertThat(decider.approve(id, "d1").path("verdict").asText()).isEqualTo("COUNTED");
            assertThat(baton.awaitRun(id, Duration.ofSeconds(10)).path("status").asText())
                    .isEqualTo("FAILED");
            assertThat(baton.post("/api/runs/" + id + "/rerun", "{\"from\": \"gate\"}")
                            .status())
                    .isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> gate(id).equals("WAITING_APPROVAL"));
            JsonNode again = decider.approve(id, "d2");
            assertThat(again).as("alice approving the re-asked stage").isNotNull();
            assertThat(again.path("verdict").asText()).isEqualTo("COUNTED");
        }
    }
}
