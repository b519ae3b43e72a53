package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.ScriptedAgent;
import dev.baton.TestBaton;
import dev.baton.pipeline.Json;
import jakarta.jms.Connection;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.camel.processor.idempotent.IdempotentConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A coordinator message delivered twice (the same inbox id) goes through the coordinator route's idempotent consumer
 * over the inbox table: the first ends its attempt, the second is skipped as a duplicate and changes nothing.
 */
class CoordinatorInboxTest {
    @TempDir
    static Path root;

    static TestBaton baton;

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(root, """
                agents:
                  holder: {kind: external}
                """, Map.of("held.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: held}
                spec:
                  pipeline:
                    stages:
                      - {name: work, agent: holder, output: $.work, retry: {maxAttempts: 3}}
                """));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    @Test
    void anInstanceDownMessageDeliveredTwiceEndsItsAttemptOnce() throws Exception {
        try (ScriptedAgent holder = ScriptedAgent.start(baton, "holder", t -> null)) {
            String runId = baton.startRun("held", "{}");
            await().atMost(Duration.ofSeconds(30)).until(() -> holder.tickets.size() == 1);
            String ticketId = holder.tickets.get(0).path("ticketId").asText();
            String body = Json.write(Json.object()
                    .put("type", "instance-down")
                    .put("ticketId", ticketId)
                    .put("attempt", 1)
                    .put("instance", "w-gone")
                    .put("lastHeartbeat", "2026-12-07T10:00:00Z"));
            IdempotentConsumer inbox = baton.server.camel().getProcessor("coordinator-inbox", IdempotentConsumer.class);
            long duplicatesBefore = inbox.getDuplicateMessageCount();

            // Without a JMS message id, the inbox id is the body's hash: two sends are one message delivered twice.
            send(body);
            await().atMost(Duration.ofSeconds(30)).until(() -> attempt(runId) == 2);
            send(body);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> inbox.getDuplicateMessageCount() == duplicatesBefore + 1);

            assertThat(attempt(runId)).isEqualTo(2);
            assertThat(baton.query(
                            "SELECT detail FROM ticket_history WHERE run_id = ? AND detail LIKE 'instance w-gone%'",
                            runId))
                    .hasSize(1);
            assertThat(baton.query("SELECT 1 FROM inbox WHERE message_id = ?", "sha256:" + Json.sha256(body)))
                    .hasSize(1);
            await().atMost(Duration.ofSeconds(30)).until(() -> holder.tickets.size() == 2);
            assertThat(holder.tickets)
                    .extracting(t -> t.path("attempt").asInt())
                    .containsExactly(1, 2);
        }
    }

    private static void send(String body) throws Exception {
        try (Connection c = baton.brokerConnections().createConnection()) {
            Session session = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer producer = session.createProducer(session.createQueue("baton.coordinator"));
            producer.setDisableMessageID(true);
            producer.send(session.createTextMessage(body));
        }
    }

    private static int attempt(String runId) throws Exception {
        return ((Number) baton.query("SELECT attempt FROM ticket WHERE run_id = ?", runId)
                        .get(0)
                        .get("attempt"))
                .intValue();
    }
}
