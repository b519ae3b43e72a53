package dev.baton.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import dev.baton.TestBaton.Response;
import dev.baton.compile.Endpoints;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GET /api/dead-letters over real HTTP against the real broker: what Baton parks and what Artemis moves both show
 * with their reason and origin, browsing consumes nothing, and limits are checked.
 */
class DeadLettersApiTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @TempDir
    static Path root;

    static TestBaton baton;
    static Connection connection;
    static Session session;

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(root, "agents: {}\n", Map.of());
        connection = baton.brokerConnections().createConnection();
        connection.start();
        session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
    }

    @AfterAll
    static void stop() throws Exception {
        if (connection != null) connection.close();
        if (baton != null) baton.close();
    }

    @Test
    void aMalformedReplyAndAReplyForAnUnknownTicketAreListedWithTheirReasonAndOrigin() throws Exception {
        String malformedCorrelation = "malformed-" + UUID.randomUUID();
        TextMessage malformed = sendToResults("{not json", malformedCorrelation);
        String unknownTicket = UUID.randomUUID().toString();
        TextMessage unknown = sendToResults(
                "{\"ticketId\": \"" + unknownTicket + "\", \"attempt\": 1, \"status\": \"succeeded\"}", unknownTicket);

        JsonNode first = await().atMost(PATIENCE)
                .until(
                        () -> baton.get("/api/dead-letters").body(),
                        b -> find(b, malformedCorrelation) != null && find(b, unknownTicket) != null);

        JsonNode bad = find(first, malformedCorrelation);
        assertThat(bad.path("reason").asText()).startsWith("reply is not JSON: ");
        assertThat(bad.path("originalAddress").asText()).isEqualTo("baton.results");
        assertThat(bad.path("deadLetteredBy").asText()).isEqualTo("baton");
        assertThat(bad.path("originalMessageId").asText()).isEqualTo(malformed.getJMSMessageID());
        assertThat(bad.path("messageId").asText()).startsWith("ID:");
        assertThat(bad.path("deliveryCount").asInt())
                .as("parked on its first delivery, not retried")
                .isEqualTo(1);
        assertThat(bad.path("body").asText()).isEqualTo("{not json");
        assertThat(bad.path("truncated").asBoolean()).isFalse();
        assertThat(Instant.parse(bad.path("timestamp").asText()))
                .isBefore(Instant.now().plusSeconds(1));

        JsonNode orphan = find(first, unknownTicket);
        assertThat(orphan.path("reason").asText()).isEqualTo("unknown ticket " + unknownTicket);
        assertThat(orphan.path("originalAddress").asText()).isEqualTo("baton.results");
        assertThat(orphan.path("originalMessageId").asText()).isEqualTo(unknown.getJMSMessageID());
        assertThat(orphan.path("body").asText()).contains(unknownTicket);

        JsonNode second = baton.get("/api/dead-letters").body();
        assertThat(second.path("count").asInt())
                .as("browsing consumed nothing")
                .isEqualTo(first.path("count").asInt());
        assertThat(second.path("depth").asLong()).isEqualTo(first.path("depth").asLong());
        assertThat(messageIds(second)).isEqualTo(messageIds(first));
        assertThat(first.path("depth").asLong())
                .isGreaterThanOrEqualTo(first.path("count").asLong())
                .isPositive();
    }

    @Test
    void aMessageWhoseDeliveriesAllFailedIsListedWithTheAddressArtemisMovedItFrom() throws Exception {
        // Fast settings for this test's address, set on the live broker through its management address.
        assertThat(
                        management()
                                .invoke(
                                        Endpoints.MANAGED_BROKER,
                                        "addAddressSettings",
                                        "test.flaky.#",
                                        "{\"maxDeliveryAttempts\": 3, \"redeliveryDelay\": 0, \"deadLetterAddress\": \"baton.DLQ\"}"))
                .isPresent();
        String correlation = "flaky-" + UUID.randomUUID();
        Session tx = connection.createSession(true, Session.SESSION_TRANSACTED);
        TextMessage sent = tx.createTextMessage("cannot be processed");
        sent.setJMSCorrelationID(correlation);
        tx.createProducer(tx.createQueue("test.flaky.work")).send(sent);
        tx.commit();
        try (MessageConsumer worker = tx.createConsumer(tx.createQueue("test.flaky.work"))) {
            for (int delivery = 1; delivery <= 3; delivery++) {
                Message m = worker.receive(PATIENCE.toMillis());
                assertThat(m).as("delivery " + delivery).isNotNull();
                tx.rollback(); // the consumer fails
            }
        } finally {
            tx.close();
        }

        JsonNode body = await().atMost(PATIENCE)
                .until(() -> baton.get("/api/dead-letters").body(), b -> find(b, correlation) != null);
        JsonNode moved = find(body, correlation);
        assertThat(moved.path("deadLetteredBy").asText()).isEqualTo("broker");
        assertThat(moved.path("originalAddress").asText()).isEqualTo("test.flaky.work");
        assertThat(moved.path("reason").asText()).isEqualTo("delivery failed 3 times");
        assertThat(moved.path("deliveryCount").asInt()).isEqualTo(3);
        assertThat(moved.path("messageId").asText()).as("Artemis keeps the id").isEqualTo(sent.getJMSMessageID());
        assertThat(moved.path("body").asText()).isEqualTo("cannot be processed");
    }

    @Test
    void limitCapsTheItemsShownButNotTheDepth() throws Exception {
        for (int i = 0; i < 3; i++) sendToResults("[" + i, "limit-" + i);
        await().atMost(PATIENCE)
                .until(() -> baton.get("/api/dead-letters?limit=1000").body(), b -> find(b, "limit-2") != null);

        JsonNode two = baton.get("/api/dead-letters?limit=2").body();
        assertThat(two.path("count").asInt()).isEqualTo(2);
        assertThat(two.path("items")).hasSize(2);
        assertThat(two.path("depth").asLong()).isGreaterThanOrEqualTo(3);
        JsonNode all = baton.get("/api/dead-letters?limit=1000").body();
        assertThat(all.path("count").asLong()).isEqualTo(all.path("depth").asLong());
        assertThat(messageIds(two)).isEqualTo(messageIds(all).subList(0, 2)); // oldest first
    }

    @Test
    void aLongBodyIsCutToFourKibibytesOfUtf8() throws Exception {
        String correlation = "long-" + UUID.randomUUID();
        sendToResults("é".repeat(3000), correlation); // 6000 bytes of UTF-8
        JsonNode item = find(
                await().atMost(PATIENCE)
                        .until(
                                () -> baton.get("/api/dead-letters?limit=1000").body(),
                                b -> find(b, correlation) != null),
                correlation);
        assertThat(item.path("truncated").asBoolean()).isTrue();
        assertThat(item.path("body").asText()).isEqualTo("é".repeat(2048));
        assertThat(item.path("body").asText().getBytes(StandardCharsets.UTF_8)).hasSize(4096);
    }

    @Test
    void aBadLimitIsAProblem() throws Exception {
        for (String limit : List.of("abc", "0", "-1", "1001", "2.5")) {
            Response r = baton.get("/api/dead-letters?limit=" + limit);
            assertThat(r.status()).as("limit=" + limit).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
            assertThat(r.body().path("status").asInt()).isEqualTo(400);
            assertThat(r.body().path("detail").asText()).startsWith("limit must be");
        }
    }

    private static TextMessage sendToResults(String text, String correlationId) throws Exception {
        TextMessage m = session.createTextMessage(text);
        m.setJMSCorrelationID(correlationId);
        session.createProducer(session.createQueue("baton.results")).send(m);
        return m;
    }

    private static BrokerManagement management() {
        return new BrokerManagement(session, Duration.ofSeconds(5));
    }

    private static JsonNode find(JsonNode body, String correlationId) {
        for (JsonNode item : body.path("items")) {
            if (correlationId.equals(item.path("correlationId").asText(null))) return item;
        }
        return null;
    }

    private static List<String> messageIds(JsonNode body) {
        List<String> ids = new ArrayList<>();
        body.path("items").forEach(i -> ids.add(i.path("messageId").asText()));
        return ids;
    }
}
