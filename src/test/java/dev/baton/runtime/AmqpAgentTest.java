package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import dev.baton.pipeline.Json;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent protocol through the broker's AMQP 1.0 acceptor, with an AMQP client (qpid-jms, not the Artemis
 * client): the ticket arrives as text with its correlation id, reply-to and priority, and a reply completes it.
 */
class AmqpAgentTest {
    @TempDir
    static Path root;

    static TestBaton baton;

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(root, """
                agents:
                  amqpy: {kind: external}
                """, Map.of("amqp.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: amqp}
                spec:
                  params:
                    q: {default: "über AMQP"}
                  pipeline:
                    stages:
                      - {name: ask, agent: amqpy, input: "$.params", output: "$.answer", timeout: 30s, priority: 8}
                """));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    @Test
    void anAmqpClientTakesATicketAndItsReplyCompletesTheRun() throws Exception {
        var b = baton.server.settings().broker();
        var cf = new JmsConnectionFactory(b.user(), b.password(), "amqp://127.0.0.1:" + b.amqpPort());
        try (Connection c = cf.createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.CLIENT_ACKNOWLEDGE);
            var tickets = s.createConsumer(s.createQueue("baton.agent.amqpy"));
            String runId = baton.startRun("amqp", "{}");

            Message m = tickets.receive(30_000);
            assertThat(m).as("a ticket within 30 s").isInstanceOf(TextMessage.class);
            JsonNode t = Json.parse(((TextMessage) m).getText());
            assertThat(t.path("runId").asText()).isEqualTo(runId);
            assertThat(t.at("/input/q").asText()).isEqualTo("über AMQP");
            assertThat(m.getJMSCorrelationID()).isEqualTo(t.path("ticketId").asText());
            assertThat(m.getJMSReplyTo()).hasToString("baton.results");
            assertThat(m.getJMSPriority()).isEqualTo(8);

            var progress = s.createTextMessage(Json.write(Json.object()
                    .put("ticketId", t.path("ticketId").asText())
                    .put("attempt", t.path("attempt").asInt())
                    .put("status", "progress")
                    .put("percent", 10)));
            progress.setJMSCorrelationID(m.getJMSCorrelationID());
            var reply = s.createTextMessage("{\"attempt\": " + t.path("attempt").asInt()
                    + ", \"status\": \"succeeded\", \"output\": {\"via\": \"amqp\"}}"); // ticket named by
            // correlation id
            reply.setJMSCorrelationID(m.getJMSCorrelationID());
            var producer = s.createProducer(m.getJMSReplyTo());
            producer.send(progress);
            producer.send(reply);
            m.acknowledge();

            JsonNode run = baton.awaitRun(runId, Duration.ofSeconds(30));
            assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(run.at("/context/answer/via").asText()).isEqualTo("amqp");
            assertThat(run.at("/stages/0/attempts").asInt()).isEqualTo(1);
        }
    }
}
