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
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
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

    private static JsonNode send(Session session, MessageProducer p, MessageConsumer answers, jakarta.jms.Queue replies,
            String body, String correlation) throws Exception {
        TextMessage m = session.createTextMessage(body);
        m.setJMSReplyTo(replies);
        m.setJMSCorrelationID(correlation);
        p.send(m);
        Message reply = answers.receive(5_000);
        return reply == null ? null : Json.parse(((TextMessage) reply).getText());
    }

    @Test
    void aDecisionSeenBeforeIsAnsweredAgain() throws Exception {
        String id = baton.startRun("both", "{}");
        await().atMost(Duration.ofSeconds(10)).until(() -> gate(id).equals("WAITING_APPROVAL"));
        var cf = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + baton.server.settings().broker().port());
        try (Connection c = cf.createConnection()) {
            c.start();
            Session session = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            var replies = session.createTemporaryQueue();
            var answers = session.createConsumer(replies);
            MessageProducer p = session.createProducer(session.createQueue("baton.approvals"));
            p.setDisableMessageID(true); // as STOMP/AMQP clients often do: the inbox then keys on the body
            String body = Json.write(Json.object().put("runId", id).put("stage", "gate").put("decision", "approve")
                    .put("approver", "alice"));
            JsonNode first = send(session, p, answers, replies, body, "d1");
            assertThat(first.path("verdict").asText()).isEqualTo("COUNTED");
            // the same message again, as a redelivery after "DB committed, JMS not" would be: deduplicated ...
            JsonNode second = send(session, p, answers, replies, body, "d2");
            assertThat(second).as("a deduplicated decision is never answered").isNotNull();
        }
    }

    @Test
    void theSameDecisionAfterARerunIsCounted() throws Exception {
        String id = baton.startRun("one", "{}");
        await().atMost(Duration.ofSeconds(10)).until(() -> gate(id).equals("WAITING_APPROVAL"));
        var cf = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + baton.server.settings().broker().port());
        try (Connection c = cf.createConnection()) {
            c.start();
            Session session = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            var replies = session.createTemporaryQueue();
            var answers = session.createConsumer(replies);
            MessageProducer p = session.createProducer(session.createQueue("baton.approvals"));
            p.setDisableMessageID(true);
            String body = Json.write(Json.object().put("runId", id).put("stage", "gate").put("decision", "approve")
                    .put("approver", "alice"));
            assertThat(send(session, p, answers, replies, body, "d1").path("verdict").asText()).isEqualTo("COUNTED");
            assertThat(baton.awaitRun(id, Duration.ofSeconds(10)).path("status").asText()).isEqualTo("FAILED");
            assertThat(baton.post("/api/runs/" + id + "/rerun", "{\"from\": \"gate\"}").status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> gate(id).equals("WAITING_APPROVAL"));
            JsonNode again = send(session, p, answers, replies, body, "d2");
            assertThat(again).as("alice approving the re-asked stage").isNotNull();
        }
    }
}
