package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.StompClient;
import dev.baton.StompClient.Frame;
import dev.baton.TestBaton;
import dev.baton.pipeline.Json;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Session;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent protocol through the broker's STOMP acceptor, frame by frame: what a ticket looks like to a STOMP
 * client, and that a reply SENT over STOMP completes the ticket whether Artemis makes it a text or a bytes message.
 */
class StompAgentTest {
    @TempDir
    static Path root;

    static TestBaton baton;

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(root, """
                agents:
                  stompy: {kind: external}
                  slow: {kind: external}
                """, Map.of("slow.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: slow}
                spec:
                  pipeline:
                    stages:
                      - {name: work, agent: slow, output: "$.done", timeout: 2s, retry: {maxAttempts: 2, initialDelay: 100ms}}
                """, "stomp.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: stomp}
                spec:
                  params:
                    q: {default: "grüße: ünïcode"}
                  pipeline:
                    stages:
                      - name: ask
                        agent: stompy
                        input: "$.params.q"
                        output: "$.answer"
                        timeout: 30s
                        priority: 7
                """));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    @Test
    void aTicketIsATextFrameWithItsJmsHeadersAndAStompReplyWithContentLengthCompletesIt() throws Exception {
        try (StompClient stomp = stomp()) {
            subscribe(stomp, "baton.agent.stompy");
            String runId = baton.startRun("stomp", "{}");
            Frame ticket = stomp.read();

            assertThat(ticket.command()).as(ticket.text()).isEqualTo("MESSAGE");
            JsonNode t = Json.parse(ticket.text());
            assertThat(t.path("runId").asText()).isEqualTo(runId);
            assertThat(t.path("input").asText()).isEqualTo("grüße: ünïcode");
            assertThat(ticket.header("destination")).isEqualTo("baton.agent.stompy");
            assertThat(ticket.header("correlation-id"))
                    .isEqualTo(t.path("ticketId").asText());
            // JMS notation for the anycast queue baton.results: a STOMP client sends its reply to baton.results
            assertThat(ticket.header("reply-to")).isEqualTo("queue://baton.results");
            assertThat(ticket.header("priority")).isEqualTo("7");
            assertThat(ticket.header("persistent")).isEqualTo("true");
            // The body is the JSON text in UTF-8; content-length counts its bytes (not characters), and the frame
            // reader has checked that the NUL follows right after them.
            assertThat(ticket.header("content-length")).isEqualTo(Integer.toString(ticket.body().length));
            assertThat(ticket.text().length()).isLessThan(ticket.body().length);
            assertThat(ticket.header("ack")).isNotBlank();

            // STOMP 1.2 clients that send a body usually add content-length: Artemis then makes it a BytesMessage.
            String reply = Json.write(Json.object()
                    .put("ticketId", t.path("ticketId").asText())
                    .put("attempt", t.path("attempt").asInt())
                    .put("status", "succeeded")
                    .put("output", "bytes: ✓"));
            stomp.send(
                    "SEND",
                    Map.of(
                            "destination",
                            "baton.results",
                            "destination-type",
                            "ANYCAST",
                            "correlation-id",
                            t.path("ticketId").asText(),
                            "content-type",
                            "application/json",
                            "content-length",
                            Integer.toString(reply.getBytes(StandardCharsets.UTF_8).length)),
                    reply);
            stomp.send("ACK", Map.of("id", ticket.header("ack")), null);

            JsonNode run = baton.awaitRun(runId, Duration.ofSeconds(30));
            assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(run.at("/context/answer").asText()).isEqualTo("bytes: ✓");
        }
    }

    @Test
    void aStompReplyWithoutContentLengthIsATextMessageAndCompletesTheTicketToo() throws Exception {
        try (StompClient stomp = stomp()) {
            subscribe(stomp, "baton.agent.stompy");
            String runId = baton.startRun("stomp", "{\"q\": \"text\"}");
            Frame ticket = stomp.read();
            JsonNode t = Json.parse(ticket.text());
            // progress, then the outcome; no ticketId in the body: the correlation-id header names the ticket
            stomp.send(
                    "SEND",
                    Map.of(
                            "destination",
                            "baton.results",
                            "correlation-id",
                            t.path("ticketId").asText()),
                    "{\"attempt\": " + t.path("attempt").asInt() + ", \"status\": \"progress\", \"percent\": 50}");
            stomp.send(
                    "SEND",
                    Map.of(
                            "destination",
                            "/queue/baton.results",
                            "destination-type",
                            "ANYCAST",
                            "correlation-id",
                            t.path("ticketId").asText()),
                    "{\"attempt\": " + t.path("attempt").asInt()
                            + ", \"status\": \"succeeded\", \"output\": \"text\"}");
            stomp.send("ACK", Map.of("id", ticket.header("ack")), null);

            JsonNode run = baton.awaitRun(runId, Duration.ofSeconds(30));
            assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(run.at("/context/answer").asText()).isEqualTo("text");
            JsonNode history = baton.get("/api/runs/" + runId + "/history").body();
            assertThat(history.findValuesAsText("status")).contains("RUNNING", "SUCCEEDED");
        }
    }

    @Test
    void identicalProgressReportsOverStompAreEachAppliedSoTheLeaseKeepsBeingRenewed() throws Exception {
        try (StompClient stomp = stomp()) {
            subscribe(stomp, "baton.agent.slow");
            String runId = baton.startRun("slow", "{}");
            Frame ticket = stomp.read();
            JsonNode t = Json.parse(ticket.text());
            String progress = "{\"attempt\": " + t.path("attempt").asInt() + ", \"status\": \"progress\"}";
            Map<String, String> headers = Map.of(
                    "destination",
                    "baton.results",
                    "destination-type",
                    "ANYCAST",
                    "correlation-id",
                    t.path("ticketId").asText());
            // the same frame every 500 ms for 4 s, twice the 2 s lease: only a renewal by each of them keeps attempt 1
            for (int i = 0; i < 8; i++) {
                stomp.send("SEND", headers, progress);
                await().pollDelay(Duration.ofMillis(500)).until(() -> true); // the agent works on for 500 ms
            }
            stomp.send(
                    "SEND",
                    headers,
                    "{\"attempt\": " + t.path("attempt").asInt() + ", \"status\": \"succeeded\", \"output\": true}");
            stomp.send("ACK", Map.of("id", ticket.header("ack")), null);

            JsonNode run = baton.awaitRun(runId, Duration.ofSeconds(30));
            assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(run.at("/stages/0/attempts").asInt())
                    .as("the lease never expired")
                    .isEqualTo(1);
        }
    }

    @Test
    void aMessageExpiryReachesStompAsTheExpiresHeader() throws Exception {
        // Tickets with a deadline carry a JMS expiration; this is how a STOMP client sees one.
        var cf = baton.brokerConnections();
        try (Connection c = cf.createConnection();
                StompClient stomp = stomp()) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            var m = s.createTextMessage("{}");
            m.setStringProperty("BatonProbe", "yes");
            long before = System.currentTimeMillis();
            s.createProducer(s.createQueue("baton.agent.expiring")).send(m, DeliveryMode.PERSISTENT, 3, 600_000);
            subscribe(stomp, "baton.agent.expiring");
            Frame f = stomp.read();
            assertThat(Long.parseLong(f.header("expires"))).isBetween(before + 600_000, before + 660_000);
            assertThat(f.header("priority")).isEqualTo("3");
            assertThat(f.header("BatonProbe")).as("JMS properties are headers").isEqualTo("yes");
            stomp.send("ACK", Map.of("id", f.header("ack")), null);
        }
    }

    @Test
    void aStompSendThatIsNotAReplyIsDeadLetteredWithItsReason() throws Exception {
        try (StompClient stomp = stomp()) {
            String junk = "{\"status\": \"succeeded\"}";
            stomp.send(
                    "SEND",
                    Map.of(
                            "destination",
                            "baton.results",
                            "content-length",
                            Integer.toString(junk.length()),
                            "BatonProbe",
                            "junk"),
                    junk);
            subscribe(stomp, "baton.DLQ");
            Frame parked = stomp.read();
            assertThat(parked.text()).isEqualTo(junk);
            assertThat(parked.header("BatonDeadLetterReason"))
                    .isEqualTo("reply has no ticketId and no JMSCorrelationID");
            stomp.send("ACK", Map.of("id", parked.header("ack")), null);
        }
    }

    private static void subscribe(StompClient stomp, String queue) throws Exception {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("id", "0");
        h.put("destination", queue);
        h.put("subscription-type", "ANYCAST");
        h.put("ack", "client-individual");
        stomp.send("SUBSCRIBE", h, null);
    }

    /** A STOMP connection with Baton's own broker login (these tests are about the frames, not the rights). */
    private static StompClient stomp() throws java.io.IOException {
        var b = baton.server.settings().broker();
        return StompClient.connect(b.stompPort(), b.user(), b.password());
    }
}
