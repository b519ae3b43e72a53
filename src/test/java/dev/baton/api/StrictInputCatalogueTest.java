package dev.baton.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import dev.baton.TestSecurity;
import dev.baton.compile.Endpoints;
import dev.baton.pipeline.Json;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input catalogue, second part (issues 16 and 18): JSON a lenient reader would silently change, bytes that
 * are not UTF-8, headers sent twice, and requests the HTTP server itself refuses, each sent for real (over a raw
 * socket where an HTTP client would normalise the request, or on the broker) and answered with a problem naming what
 * is wrong, with nothing stored.
 */
class StrictInputCatalogueTest {
    @TempDir
    static Path root;

    static TestBaton baton;
    static Connection jms;
    static Session session;
    static String waitingRun;

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(
                root, "default: {kind: demo}\n", Map.of("good.yaml", BadInputCatalogueTest.GOOD, "ask.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: ask}
                spec:
                  pipeline:
                    stages:
                      - {name: gate, approval: {approvers: [alice, bob], policy: all}}
                """));
        jms = baton.brokerConnections().createConnection();
        jms.start();
        session = jms.createSession(false, Session.AUTO_ACKNOWLEDGE);
        waitingRun = baton.startRun("ask", "{}");
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .until(() -> baton.server
                        .runs()
                        .get(waitingRun)
                        .at("/stages/0/status")
                        .asText()
                        .equals("WAITING_APPROVAL"));
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> baton.query("SELECT * FROM outbox").isEmpty());
    }

    @AfterAll
    static void stop() throws Exception {
        if (jms != null) jms.close();
        if (baton != null) baton.close();
    }

    /** Every row a bad input could add or change. */
    static List<List<Map<String, Object>>> stored() throws Exception {
        return List.of(
                baton.query("SELECT * FROM run ORDER BY id"),
                baton.query("SELECT * FROM run_stage ORDER BY run_id, name"),
                baton.query("SELECT * FROM ticket ORDER BY id"),
                baton.query("SELECT * FROM ticket_history ORDER BY run_id, seq"),
                baton.query("SELECT * FROM outbox"),
                baton.query("SELECT * FROM run_reply"));
    }

    static void assertProblem(RawHttp.Answer a, int status, String detailPart) {
        assertThat(a.status()).as(a.toString()).isEqualTo(status);
        assertThat(a.header("Content-Type")).as(a.toString()).startsWith("application/problem+json");
        JsonNode p = a.json();
        assertThat(p.path("status").asInt()).isEqualTo(status);
        assertThat(p.path("detail").asText() + " " + p.path("errors")).contains(detailPart);
    }

    static String auth() {
        return "Authorization: Bearer " + TestSecurity.apiKey("admin");
    }

    static RawHttp.Answer post(String path, byte[] body, String... extraHeaders) throws Exception {
        String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth()
                + "\r\nContent-Type: application/json"
                + (extraHeaders.length == 0 ? "" : "\r\n" + String.join("\r\n", extraHeaders));
        return RawHttp.send(baton.port, head, body);
    }

    static RawHttp.Answer post(String path, String body, String... extraHeaders) throws Exception {
        return post(path, body.getBytes(StandardCharsets.UTF_8), extraHeaders);
    }

    // ---------------------------------------------------------------- JSON a lenient reader would change

    static Stream<Arguments> strictBodies() {
        String runs = "/api/pipelines/good/runs";
        String approve = "/api/runs/RUN/approvals/gate";
        String cancel = "/api/runs/RUN/cancel";
        return Stream.of(
                Arguments.of(runs, "{\"topic\": 1e400}", "number 1E+400 at /topic is outside the range of a double"),
                Arguments.of(runs, "{\"topic\": -1e400}", "number -1E+400 at /topic is outside the range"),
                Arguments.of(runs, "{\"topic\": [1e-400]}", "number 1E-400 at /topic/0 is outside the range"),
                Arguments.of(runs, "{\"topic\": " + "9".repeat(400) + "}", "400-digit integer at /topic"),
                Arguments.of(runs, "{\"topic\": " + "9".repeat(2000) + "}", "Number value length"),
                Arguments.of(runs, "{\"topic\": NaN}", "Non-standard token 'NaN'"),
                Arguments.of(runs, "{\"topic\": \"t\"} {\"topic\": \"u\"}", "Trailing token"),
                Arguments.of(runs, "{\"topic\": \"t\"}]", "Unexpected close marker ']'"),
                Arguments.of(runs, "{\"topic\": \"t\"} x", "Unrecognized token 'x'"),
                Arguments.of(runs, "{\"topic\": \"t\", \"topic\": \"u\"}", "Duplicate field 'topic'"),
                Arguments.of(runs, "{\"params\": {\"topic\": \"t\", \"topic\": \"t\"}}", "Duplicate field 'topic'"),
                Arguments.of(runs, "{\"topic\": \"\\ud800\"}", "the string at /topic has a lone UTF-16 surrogate"),
                Arguments.of(runs, "{\"topic\": \"\\udfff\\ud800\"}", "lone UTF-16 surrogate"),
                Arguments.of(runs, "{\"\\ud800\": \"t\"}", "has a lone UTF-16 surrogate"),
                Arguments.of(runs, "{\"topic\": \"t\"}\u0000", "Illegal character"),
                Arguments.of(runs, "[".repeat(100_000), "Document nesting depth"),
                Arguments.of(approve, "{\"decision\": \"approve\", \"decision\": \"reject\"}", "Duplicate field"),
                Arguments.of(approve, "{\"decision\": \"approve\"} {\"decision\": \"reject\"}", "Trailing token"),
                Arguments.of(cancel, "{\"reason\": \"a\", \"reason\": \"b\"}", "Duplicate field 'reason'"),
                Arguments.of(cancel, "{\"reason\": \"\\udc00\"}", "lone UTF-16 surrogate"),
                Arguments.of("/api/runs/RUN/rerun", "{\"from\": \"gate\"}]", "Unexpected close marker"));
    }

    @ParameterizedTest(name = "POST {0} {1}")
    @MethodSource("strictBodies")
    void jsonThatALenientReaderWouldChangeIsRefused(String path, String body, String detail) throws Exception {
        var before = stored();
        assertProblem(post(path.replace("RUN", waitingRun), body), 400, detail);
        assertThat(stored()).isEqualTo(before);
    }

    static Stream<Arguments> notUtf8() {
        return Stream.of(
                Arguments.of(
                        new byte[] {'{', '"', 't', 'o', 'p', 'i', 'c', '"', ':', '"', (byte) 0xff, '"', '}'},
                        "byte 0xFF at offset 10"),
                Arguments.of(
                        new byte[] {'{', '"', 't', 'o', 'p', 'i', 'c', '"', ':', '"', (byte) 0xc3, '"', '}'},
                        "byte 0xC3 at offset 10"),
                // U+D800 encoded as UTF-8 (CESU): a surrogate has no UTF-8 form
                Arguments.of(
                        new byte[] {
                            '{',
                            '"',
                            't',
                            'o',
                            'p',
                            'i',
                            'c',
                            '"',
                            ':',
                            '"',
                            (byte) 0xed,
                            (byte) 0xa0,
                            (byte) 0x80,
                            '"',
                            '}'
                        },
                        "byte 0xED at offset 10"),
                // '/' as an overlong two-byte sequence
                Arguments.of(
                        new byte[] {'{', '"', 't', 'o', 'p', 'i', 'c', '"', ':', '"', (byte) 0xc0, (byte) 0xaf, '"', '}'
                        },
                        "byte 0xC0 at offset 10"));
    }

    @ParameterizedTest(name = "POST bytes {1}")
    @MethodSource("notUtf8")
    void aBodyThatIsNotUtf8IsRefusedNotRepaired(byte[] body, String detail) throws Exception {
        var before = stored();
        RawHttp.Answer a = post("/api/pipelines/good/runs", body);
        assertProblem(a, 400, "request body is not valid UTF-8: " + detail);
        assertThat(stored()).isEqualTo(before);
    }

    @Test
    void anIdempotencyKeySentTwiceIsRefusedNotJoined() throws Exception {
        var before = stored();
        RawHttp.Answer a =
                post("/api/pipelines/good/runs", "{\"topic\": \"t\"}", "Idempotency-Key: a", "Idempotency-Key: b");
        assertProblem(a, 400, "header Idempotency-Key was sent 2 times; send it once");
        assertThat(stored()).isEqualTo(before);
    }

    /** A proxy that checks the first Authorization header and a server that reads another must not disagree. */
    @Test
    void credentialsSentTwiceAreRefusedEvenWhenBothAreValid() throws Exception {
        var before = stored();
        RawHttp.Answer a = post(
                "/api/pipelines/good/runs",
                "{\"topic\": \"t\"}",
                "Authorization: Bearer " + TestSecurity.apiKey("viewer"));
        assertProblem(a, 400, "header Authorization was sent 2 times");
        a = post("/api/pipelines/good/runs", "{\"topic\": \"t\"}", "Content-Type: text/plain");
        assertProblem(a, 400, "header Content-Type was sent 2 times");
        a = RawHttp.send(baton.port, "GET /api/runs HTTP/1.1\r\nHost: x\r\nX-API-Key: a\r\nX-API-Key: b");
        assertProblem(a, 400, "header X-API-Key was sent 2 times");
        assertThat(stored()).isEqualTo(before);
    }

    // ---------------------------------------------------------------- the same over JMS

    /** A submission on baton.submit with a reply queue; the answer. */
    static JsonNode submit(Message m) throws Exception {
        var replies = session.createTemporaryQueue();
        m.setStringProperty(Endpoints.HEADER_SUBMIT_PIPELINE, "good");
        m.setJMSReplyTo(replies);
        session.createProducer(session.createQueue(Endpoints.SUBMIT)).send(m);
        TextMessage answer = (TextMessage) session.createConsumer(replies).receive(30_000);
        assertThat(answer).as("an answer on the reply queue").isNotNull();
        return Json.parse(answer.getText());
    }

    static Stream<Arguments> strictSubmissions() {
        return Stream.of(
                Arguments.of("{\"topic\": \"t\", \"topic\": \"u\"}", "Duplicate field 'topic'"),
                Arguments.of("{\"topic\": \"t\"} {\"topic\": \"u\"}", "Trailing token"),
                Arguments.of("{\"topic\": 1e400}", "outside the range of a double"),
                Arguments.of("{\"topic\": \"\\ud800\"}", "lone UTF-16 surrogate"));
    }

    @ParameterizedTest(name = "JMS submission {0}")
    @MethodSource("strictSubmissions")
    void aJmsSubmissionALenientReaderWouldChangeIsAnsweredWithTheProblem(String body, String detail) throws Exception {
        var before = stored();
        JsonNode answer = submit(session.createTextMessage(body));
        assertThat(answer.path("status").asInt()).as(answer.toString()).isEqualTo(400);
        assertThat(answer.path("detail").asText() + answer.path("errors")).contains(detail);
        assertThat(stored()).isEqualTo(before);
    }

    @Test
    void aJmsSubmissionWhoseBytesAreNotUtf8IsAnsweredWithTheProblem() throws Exception {
        var before = stored();
        BytesMessage m = session.createBytesMessage();
        m.writeBytes(new byte[] {'{', '"', 't', 'o', 'p', 'i', 'c', '"', ':', '"', (byte) 0xff, '"', '}'});
        JsonNode answer = submit(m);
        assertThat(answer.path("status").asInt()).as(answer.toString()).isEqualTo(400);
        assertThat(answer.path("detail").asText()).contains("not valid UTF-8: byte 0xFF at offset 10");
        assertThat(stored()).isEqualTo(before);
    }

    @Test
    void aJmsDecisionWithDuplicateKeysIsAnsweredInvalid() throws Exception {
        var before = stored();
        var replies = session.createTemporaryQueue();
        TextMessage m = session.createTextMessage("{\"runId\": \"" + waitingRun + "\", \"stage\": \"gate\", "
                + "\"decision\": \"approve\", \"decision\": \"reject\", \"approver\": \"alice\"}");
        m.setJMSReplyTo(replies);
        session.createProducer(session.createQueue(Endpoints.APPROVALS)).send(m);
        TextMessage answer = (TextMessage) session.createConsumer(replies).receive(30_000);
        assertThat(answer).isNotNull();
        JsonNode a = Json.parse(answer.getText());
        assertThat(a.path("verdict").asText()).isEqualTo("INVALID");
        assertThat(a.path("error").asText()).contains("Duplicate field 'decision'");
        assertThat(stored()).isEqualTo(before);
    }

    // ---------------------------------------------------------------- the HTTP server's own errors

    static Stream<Arguments> serverErrors() {
        return Stream.of(
                Arguments.of("GET /api/runs/%ZZ HTTP/1.1", 400, "the request cannot be read"),
                Arguments.of("GET /api/runs?cursor=%ZZ HTTP/1.1", 400, "the request cannot be read"),
                Arguments.of("GET /api/runs?limit=%E0%A4%A HTTP/1.1", 400, "the request cannot be read"),
                Arguments.of("GET /api/nope HTTP/1.1", 404, "no resource at GET /api/nope"),
                Arguments.of("GET /nope HTTP/1.1", 404, "no resource at GET /nope"),
                Arguments.of(
                        "DELETE /api/runs HTTP/1.1", 405, "DELETE is not allowed on /api/runs; allowed: GET, HEAD"),
                Arguments.of("PUT /api/health HTTP/1.1", 405, "allowed: GET, HEAD"),
                Arguments.of("GET /api/pipelines/good/runs HTTP/1.1", 405, "allowed: POST"),
                Arguments.of("GET /api/" + "x".repeat(5000) + " HTTP/1.1", 414, "request line is longer"),
                Arguments.of("GET /api/runs HTTP/1.1\r\nX-Big: " + "x".repeat(9000), 431, "headers are larger"),
                Arguments.of("HELLO", 400, "not valid HTTP"),
                Arguments.of(
                        "GET /api/runs HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2",
                        400,
                        "not valid HTTP"),
                Arguments.of("GET /api/runs HTTP/1.1\r\nHost: x\r\nBad Header: x", 400, "not valid HTTP"));
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("serverErrors")
    void theHttpServersOwnErrorsAreProblems(String request, int status, String detail) throws Exception {
        var before = stored();
        String head = request.contains("\r\n") || !request.contains("HTTP/1.1")
                ? request
                : request + "\r\nHost: 127.0.0.1\r\n" + auth();
        RawHttp.Answer a = RawHttp.send(baton.port, head);
        assertProblem(a, status, detail);
        if (status == 405) {
            assertThat(a.header("Allow")).isEqualTo(detail.substring(detail.indexOf("allowed: ") + 9));
        }
        assertThat(stored()).isEqualTo(before);
    }

    @Test
    void aBodyAboveTheHttpServersCeilingIsAProblem() throws Exception {
        var before = stored();
        RawHttp.Answer a = post("/api/pipelines/good/runs", new byte[9 * 1024 * 1024]);
        assertProblem(a, 413, "larger than the server accepts");
        assertThat(stored()).isEqualTo(before);
    }

    @Test
    void headAnswersAsGetWithoutTheBody() throws Exception {
        RawHttp.Answer get = RawHttp.send(baton.port, "GET /api/runs HTTP/1.1\r\nHost: x\r\n" + auth());
        RawHttp.Answer head = RawHttp.send(baton.port, "HEAD /api/runs HTTP/1.1\r\nHost: x\r\n" + auth());
        assertThat(get.status()).isEqualTo(200);
        assertThat(head.status()).as(head.toString()).isEqualTo(200);
        assertThat(head.header("Content-Type")).isEqualTo(get.header("Content-Type"));
        assertThat(head.body()).isEmpty();
        assertThat(RawHttp.send(baton.port, "HEAD /api/health HTTP/1.1\r\nHost: x")
                        .status())
                .isEqualTo(200);
        assertThat(RawHttp.send(baton.port, "HEAD /api/openapi.json HTTP/1.1\r\nHost: x")
                        .status())
                .isEqualTo(200);
        RawHttp.Answer unknown = RawHttp.send(baton.port, "HEAD /api/nope HTTP/1.1\r\nHost: x\r\n" + auth());
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.header("Content-Type")).startsWith("application/problem+json");
        assertThat(unknown.body()).isEmpty();
        // a HEAD needs the same credentials as its GET
        assertThat(RawHttp.send(baton.port, "HEAD /api/runs HTTP/1.1\r\nHost: x")
                        .status())
                .isEqualTo(401);
    }
}
