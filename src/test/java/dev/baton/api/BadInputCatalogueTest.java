package dev.baton.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import dev.baton.pipeline.Json;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.QueueBrowser;
import jakarta.jms.QueueRequestor;
import jakarta.jms.QueueSession;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.activemq.artemis.api.jms.management.JMSManagementHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bad-input catalogue (issue 7): each case sends one bad input to a running Baton (a broken pipeline file in
 * routes/, a bad HTTP request, a bad or forged message on the broker) and asserts a clear error AND that nothing
 * changed: the same runs, stages, tickets and history rows, the same pipeline revisions, the same queue depths.
 */
class BadInputCatalogueTest {
    @TempDir
    static Path root;

    static TestBaton baton;
    static Connection admin;
    static Session session;
    static String waitingRun; // gate2 waiting for alice and bob; alice has approved
    static String decidedRun; // gate decided by alice, run SUCCEEDED
    static String extRun; // ticket of agent 'ext' QUEUED, attempt 1
    static String extTicket;
    static String failedRun; // its only stage failed

    static final String GOOD = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: good}
            spec:
              params:
                topic: {required: true}
              pipeline:
                stages:
                  - {name: a, agent: worker, input: "$.params.topic", output: "$.a"}
            """;

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(root.resolve("config"));
        Files.writeString(root.resolve("config/application.properties"), "baton.routes.scan-interval = 200\n");
        baton = TestBaton.start(
                root,
                """
                default: {kind: demo}
                agents:
                  ext: {kind: external}
                  other: {kind: external}
                  broken: {kind: demo, fail: true}
                """,
                Map.of("fails.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: fails}
                spec:
                  pipeline:
                    stages:
                      - {name: only, agent: broken}
                """, "good.yaml", GOOD, "ask.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: ask}
                spec:
                  pipeline:
                    stages:
                      - {name: gate, approval: {approvers: [alice, bob], policy: any}}
                      - {name: after, dependsOn: [gate], agent: worker}
                """, "ask2.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: ask2}
                spec:
                  pipeline:
                    stages:
                      - {name: gate2, approval: {approvers: [alice, bob], policy: all}}
                      - {name: after, dependsOn: [gate2], agent: worker}
                """, "ext.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: ext}
                spec:
                  pipeline:
                    stages:
                      - {name: ask, agent: ext, timeout: 10m, retry: {maxAttempts: 3}}
                """));
        admin = baton.brokerConnections().createConnection();
        admin.start();
        session = admin.createSession(false, Session.AUTO_ACKNOWLEDGE);

        assertThat(baton.awaitRun(baton.startRun("good", "{\"topic\": \"t\"}"), Duration.ofSeconds(60))
                        .path("status")
                        .asText())
                .isEqualTo("SUCCEEDED");
        failedRun = baton.startRun("fails", "{}");
        assertThat(baton.awaitRun(failedRun, Duration.ofSeconds(60))
                        .path("status")
                        .asText())
                .isEqualTo("FAILED");
        decidedRun = baton.startRun("ask", "{}");
        awaitStage(decidedRun, "WAITING_APPROVAL");
        assertThat(postAs(
                                "/api/runs/" + decidedRun + "/approvals/gate",
                                "{\"decision\": \"approve\", \"approver\": \"alice\"}")
                        .status())
                .isEqualTo(200);
        assertThat(baton.awaitRun(decidedRun, Duration.ofSeconds(60))
                        .path("status")
                        .asText())
                .isEqualTo("SUCCEEDED");
        waitingRun = baton.startRun("ask2", "{}");
        awaitStage(waitingRun, "WAITING_APPROVAL");
        assertThat(postAs(
                                "/api/runs/" + waitingRun + "/approvals/gate2",
                                "{\"decision\": \"approve\", \"approver\": \"alice\"}")
                        .status())
                .isEqualTo(200);
        extRun = baton.startRun("ext", "{}");
        await().atMost(Duration.ofSeconds(30)).until(() -> depth("baton.agent.ext") == 1);
        extTicket = baton.query("SELECT id FROM ticket WHERE run_id = ?", extRun)
                .get(0)
                .get("id")
                .toString();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> baton.query("SELECT * FROM outbox").isEmpty());
    }

    @AfterAll
    static void stop() throws Exception {
        if (admin != null) admin.close();
        if (baton != null) baton.close();
    }

    private static void awaitStage(String runId, String status) {
        await().atMost(Duration.ofSeconds(60))
                .until(() -> baton.server
                        .runs()
                        .get(runId)
                        .at("/stages/0/status")
                        .asText()
                        .equals(status));
    }

    // ---------------------------------------------------------------- state

    /** Everything a bad input must not change. */
    record State(
            List<Map<String, Object>> runs,
            List<Map<String, Object>> stages,
            List<Map<String, Object>> tickets,
            List<Map<String, Object>> history,
            JsonNode pipelines,
            Map<String, Long> depths) {}

    static final List<String> QUEUES =
            List.of("baton.results", "baton.agent.ext", "baton.agent.other", "baton.submit", "baton.approvals");

    static State state() throws Exception {
        Map<String, Long> depths = new LinkedHashMap<>();
        for (String q : QUEUES) depths.put(q, depth(q));
        JsonNode pipelines = baton.get("/api/pipelines").body().path("pipelines");
        return new State(
                baton.query("SELECT * FROM run ORDER BY id"),
                baton.query("SELECT * FROM run_stage ORDER BY run_id, name"),
                baton.query("SELECT * FROM ticket ORDER BY id"),
                baton.query("SELECT * FROM ticket_history ORDER BY run_id, seq"),
                pipelines,
                depths);
    }

    static long depth(String queue) throws Exception {
        var request = session.createMessage();
        JMSManagementHelper.putAttribute(request, "queue." + queue, "messageCount");
        var reply =
                new QueueRequestor((QueueSession) session, session.createQueue("activemq.management")).request(request);
        Object n = JMSManagementHelper.getResult(reply);
        return n instanceof Number num ? num.longValue() : -1;
    }

    static void assertUnchanged(State before) throws Exception {
        State after = state();
        assertSame("runs", after.runs(), before.runs());
        assertSame("stages", after.stages(), before.stages());
        assertSame("tickets", after.tickets(), before.tickets());
        assertSame("history", after.history(), before.history());
        assertThat(after.pipelines()).as("pipelines").isEqualTo(before.pipelines());
        assertThat(after.depths()).as("queue depths").isEqualTo(before.depths());
    }

    /** Rows added and rows gone, so that a failure says what changed. */
    static void assertSame(String what, List<Map<String, Object>> after, List<Map<String, Object>> before) {
        List<Map<String, Object>> added = new ArrayList<>(after);
        added.removeAll(before);
        List<Map<String, Object>> gone = new ArrayList<>(before);
        gone.removeAll(after);
        assertThat(added).as(what + " added or changed (were: " + gone + ")").isEmpty();
        assertThat(gone).as(what + " gone").isEmpty();
    }

    /** Unchanged but for one REFUSED history row with this detail: a refusal is recorded, never applied. */
    static void assertOnlyRefused(State before, String detail) throws Exception {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> state().history().size() == before.history().size() + 1);
        State after = state();
        Map<String, Object> row = after.history().get(after.history().size() - 1);
        List<Map<String, Object>> added = new ArrayList<>(after.history());
        added.removeAll(before.history());
        assertThat(added).hasSize(1);
        assertThat(added.get(0).get("status")).isEqualTo("REFUSED");
        assertThat(added.get(0).get("detail")).isEqualTo(detail);
        // the refusal's history row moves its run's last_seq and updated_at; nothing else of the run changes
        assertSame("runs", withoutSeq(after.runs()), withoutSeq(before.runs()));
        assertSame("tickets", after.tickets(), before.tickets());
        assertSame("stages", after.stages(), before.stages());
        assertThat(after.depths()).as("queue depths").isEqualTo(before.depths());
        assertThat(row).isNotNull();
    }

    static List<Map<String, Object>> withoutSeq(List<Map<String, Object>> runs) {
        return runs.stream()
                .map(r -> {
                    Map<String, Object> m = new LinkedHashMap<>(r);
                    m.remove("last_seq");
                    m.remove("updated_at");
                    return m;
                })
                .toList();
    }

    static void assertProblem(TestBaton.Response r, int status, String detailPart) {
        assertThat(r.status()).as(r.body().toString()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(r.body().path("status").asInt()).isEqualTo(status);
        assertThat(r.body().path("detail").asText() + " " + r.body().path("errors"))
                .contains(detailPart);
    }

    // ---------------------------------------------------------------- pipeline files

    /** Invalid fixtures written over routes/good.yaml: listed with file:line:column, the old revision keeps serving. */
    static Stream<String> fixtures() {
        return Stream.of(
                "yaml-syntax-error",
                "alias-bomb",
                "deep-nesting",
                "tag",
                "unknown-top-level-field",
                "unknown-stage-field",
                "cycle",
                "self-dependency",
                "duplicate-key",
                "multiple-documents",
                "wrong-kind",
                "bad-api-version",
                "empty-stages",
                "duplicate-stage-names",
                "depends-on-not-a-list",
                "bad-duration",
                "missing-stage-name",
                "conditions",
                "bad-retry",
                "long-metadata-name",
                "store-limits",
                "too-many-stages");
    }

    @ParameterizedTest(name = "pipeline file: {0}")
    @MethodSource("fixtures")
    void anInvalidPipelineFileIsReportedAndReplacesNothing(String fixture) throws Exception {
        Path dir = Path.of("src/test/resources/pipelines/invalid");
        List<String> expected = Files.readAllLines(dir.resolve(fixture + ".expected")).stream()
                .filter(l -> !l.isBlank())
                .map(l -> l.replace(
                        "invalid/" + fixture + ".yaml",
                        root.resolve("routes/good.yaml").toString()))
                .toList();
        breakGoodYaml(Files.readString(dir.resolve(fixture + ".yaml")), expected);
    }

    @Test
    void aJavaTypeTagIsRefusedNotInstantiated() throws Exception {
        breakGoodYaml(
                GOOD.replace(
                        "metadata: {name: good}",
                        "metadata: {name: good, description: !!java.net.URL [\"http://example.invalid\"]}"),
                List.of(
                        root.resolve("routes/good.yaml") + ":3:37 tags are not allowed ('!!java.net.URL')",
                        root.resolve("routes/good.yaml") + ":3:37 metadata.description must be a string, not a list"));
    }

    @Test
    void aPipelineFileTurnedIntoABrokenCamelRouteLeavesThePipelineServing() throws Exception {
        State before = state();
        Path good = root.resolve("routes/good.yaml");
        try {
            Files.writeString(good, "- from:\n    uri: timer:tick\n");
            await().atMost(Duration.ofSeconds(30)).until(() -> errorsOf(good.toString()) != null);
            assertThat(errorsOf(good.toString()))
                    .singleElement()
                    .asString()
                    .startsWith(good + ":1:1 Camel routes could not be loaded:");
            assertUnchanged(before);
            assertThat(baton.get("/api/pipelines/good").status()).isEqualTo(200);
        } finally {
            replace(good, GOOD.getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(30)).until(() -> errorsOf(good.toString()) == null);
        }
    }

    /**
     * Replaces a file of routes/ in one step (written beside the folder, then moved): the folder's scanner must never
     * read a 10 MB file half-written, which it did once ("4055040 code points").
     */
    private static void replace(Path file, byte[] bytes) throws Exception {
        Path tmp = root.resolve(file.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(
                tmp,
                file,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void aTenMegabytePipelineFileIsRefusedBySize() throws Exception {
        String big = GOOD.replace(
                "metadata: {name: good}",
                "metadata: {name: good, description: \"" + "x".repeat(10 * 1024 * 1024) + "\"}");
        breakGoodYaml(
                big,
                List.of(root.resolve("routes/good.yaml") + ":1:1 the file is larger than the 3 MB limit ("
                        + big.length() + " code points)"));
    }

    @Test
    void aPipelineFileThatIsNotUtf8IsReportedNotIgnored() throws Exception {
        byte[] bytes = (GOOD + "# caf\u00e9\n").getBytes(StandardCharsets.ISO_8859_1);
        breakGoodYaml(bytes, List.of(root.resolve("routes/good.yaml") + ":1:1 the file is not valid UTF-8"));
    }

    private static void breakGoodYaml(String text, List<String> expected) throws Exception {
        breakGoodYaml(text.getBytes(StandardCharsets.UTF_8), expected);
    }

    private static void breakGoodYaml(byte[] bytes, List<String> expected) throws Exception {
        State before = state();
        String revision =
                baton.get("/api/pipelines/good").body().path("revision").asText();
        assertThat(revision).isNotBlank();
        Path good = root.resolve("routes/good.yaml");
        try {
            replace(good, bytes);
            await().atMost(Duration.ofSeconds(30)).until(() -> errorsOf(good.toString()) != null);
            assertThat(errorsOf(good.toString())).isEqualTo(expected);
            assertUnchanged(before);
            assertThat(baton.get("/api/pipelines/good").body().path("revision").asText())
                    .as("still serving")
                    .isEqualTo(revision);
        } finally {
            replace(good, GOOD.getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(30)).until(() -> errorsOf(good.toString()) == null);
        }
    }

    static List<String> errorsOf(String file) throws Exception {
        for (JsonNode f : baton.get("/api/pipelines").body().path("invalid")) {
            if (f.path("file").asText().equals(file)) {
                List<String> out = new ArrayList<>();
                f.path("errors").forEach(e -> out.add(e.asText()));
                return out;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- HTTP

    /** Malformed, wrongly typed and oversized bodies on every POST endpoint. */
    static Stream<Arguments> badBodies() {
        String big = "{\"topic\": \"" + "x".repeat(2 * 1024 * 1024) + "\"}";
        return Stream.of(
                Arguments.of("/api/pipelines/good/runs", "{\"topic\": ", 400, "request body is not valid JSON"),
                Arguments.of("/api/pipelines/good/runs", "[\"t\"]", 400, "must be a JSON object of params"),
                Arguments.of("/api/pipelines/good/runs", "\"t\"", 400, "must be a JSON object of params"),
                Arguments.of(
                        "/api/pipelines/good/runs", "{\"topic\": \"t\", \"colour\": 1}", 400, "unknown param 'colour'"),
                Arguments.of("/api/pipelines/good/runs", "{}", 400, "topic"),
                Arguments.of(
                        "/api/pipelines/good/runs",
                        "[".repeat(5000) + "]".repeat(5000),
                        400,
                        "request body is not valid JSON"),
                Arguments.of("/api/pipelines/good/runs", big, 413, "the limit is 1048576"),
                Arguments.of("/api/pipelines/nope/runs", "{}", 404, "pipeline 'nope' is not loaded"),
                Arguments.of("/api/runs/RUN/approvals/gate2", "{\"decision\": ", 400, "invalid JSON"),
                Arguments.of(
                        "/api/runs/RUN/approvals/gate2",
                        "{\"decision\": true, \"approver\": \"bob\"}",
                        400,
                        "the decision is not valid"),
                Arguments.of(
                        "/api/runs/RUN/approvals/gate2",
                        "{\"decision\": \"maybe\", \"approver\": \"bob\"}",
                        400,
                        "the decision is not valid"),
                Arguments.of(
                        "/api/runs/RUN/approvals/gate2",
                        "{\"decision\": \"approve\", \"approver\": 7}",
                        400,
                        "the decision is not valid"),
                Arguments.of(
                        "/api/runs/RUN/approvals/gate2",
                        "{\"decision\": \"approve\", \"approver\": \"bob\", " + "\"sudo\": true}",
                        400,
                        "sudo"),
                Arguments.of("/api/runs/RUN/approvals/gate2", big, 413, "the limit is 1048576"),
                Arguments.of(
                        "/api/runs/RUN/approvals/nope",
                        "{\"decision\": \"approve\", \"approver\": \"bob\"}",
                        404,
                        "has no stage 'nope'"),
                Arguments.of(
                        "/api/runs/RUN/approvals/after",
                        "{\"decision\": \"approve\", \"approver\": \"bob\"}",
                        400,
                        "not approval"),
                Arguments.of(
                        "/api/runs/00000000-0000-0000-0000-000000000000/approvals/gate2",
                        "{\"decision\": \"approve\", \"approver\": \"bob\"}",
                        404,
                        "does not exist"),
                Arguments.of("/api/runs/RUN/cancel", "{\"reason\": ", 400, "not valid JSON"),
                Arguments.of("/api/runs/RUN/cancel", "{\"reason\": 5}", 400, "reason must be a non-empty string"),
                Arguments.of("/api/runs/RUN/cancel", "{\"why\": \"x\"}", 400, "unknown field 'why'"),
                Arguments.of("/api/runs/RUN/cancel", "[]", 400, "must be a JSON object"),
                Arguments.of("/api/runs/RUN/cancel", big, 413, "the limit is 1048576"),
                Arguments.of("/api/runs/nope/cancel", "{}", 404, "run nope does not exist"),
                Arguments.of("/api/runs/RUN/rerun", "{\"from\": ", 400, "not valid JSON"),
                Arguments.of("/api/runs/RUN/rerun", "{\"from\": [1]}", 400, "from must be a non-empty string"),
                Arguments.of("/api/runs/RUN/rerun", "{}", 409, "RUNNING"),
                Arguments.of("/api/runs/nope/rerun", "{}", 404, "run nope does not exist"));
    }

    @ParameterizedTest(name = "POST {0} {2}")
    @MethodSource("badBodies")
    void aBadRequestBodyIsAProblemAndChangesNothing(String path, String body, int status, String detail)
            throws Exception {
        State before = state();
        assertProblem(postAs(path.replace("RUN", waitingRun), body), status, detail);
        assertUnchanged(before);
    }

    @Test
    void aBodyAboveTheHttpServersCeilingIsRefused() throws Exception {
        State before = state();
        // Above camel.server.max-body-size Vert.x refuses the body while it streams in; the answer is problem+json
        // too (docs/api.md, REST API), like the API's own limit below it (see badBodies).
        TestBaton.Response r =
                baton.post("/api/pipelines/good/runs", "{\"topic\": \"" + "x".repeat(10 * 1024 * 1024) + "\"}");
        assertThat(r.status()).isEqualTo(413);
        assertUnchanged(before);
    }

    /** A decision that cannot count is answered with the reason and recorded as REFUSED; nothing else changes. */
    @Test
    void aLateApprovalIsRefusedAndTheEndedRunKeepsItsEndTime() throws Exception {
        State before = state();
        TestBaton.Response r = postAs(
                "/api/runs/" + decidedRun + "/approvals/gate", "{\"decision\": \"reject\", \"approver\": \"bob\"}");
        assertProblem(r, 409, "");
        assertOnlyRefused(before, "reject refused: " + r.body().path("detail").asText());
        Object finished = baton.query("SELECT finished_at FROM run WHERE id = ?", decidedRun)
                .get(0)
                .get("finished_at");
        assertThat(before.runs().stream()
                        .filter(x -> x.get("id").equals(decidedRun))
                        .findFirst()
                        .orElseThrow()
                        .get("finished_at"))
                .isEqualTo(finished);
    }

    @Test
    void aDecisionBySomeoneWhoIsNotAnApproverIsForbiddenAndRecorded() throws Exception {
        State before = state();
        TestBaton.Response r = postAs(
                "/api/runs/" + waitingRun + "/approvals/gate2", "{\"decision\": \"approve\", \"approver\": \"carol\"}");
        assertProblem(r, 403, "carol");
        assertOnlyRefused(before, "approve refused: " + r.body().path("detail").asText());
    }

    @Test
    void anApproverChangingTheirMindIsAConflictAndRecorded() throws Exception {
        State before = state();
        TestBaton.Response r = postAs(
                "/api/runs/" + waitingRun + "/approvals/gate2", "{\"decision\": \"reject\", \"approver\": \"alice\"}");
        assertProblem(r, 409, "alice");
        assertOnlyRefused(before, "reject refused: " + r.body().path("detail").asText());
    }

    @Test
    void aDuplicateApprovalIsRepeatedNotCountedTwice() throws Exception {
        State before = state();
        TestBaton.Response r = postAs(
                "/api/runs/" + waitingRun + "/approvals/gate2", "{\"decision\": \"approve\", \"approver\": \"alice\"}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().path("counted").asBoolean()).isFalse();
        assertThat(r.body().path("status").asText()).isEqualTo("WAITING_APPROVAL");
        assertUnchanged(before);
    }

    @Test
    void cancellingAnEndedRunIsAConflict() throws Exception {
        State before = state();
        assertProblem(postAs("/api/runs/" + decidedRun + "/cancel", "{}"), 409, "SUCCEEDED");
        assertUnchanged(before);
    }

    @Test
    void rerunFromAnUnknownStageIsRefused() throws Exception {
        State before = state();
        assertProblem(
                postAs("/api/runs/" + failedRun + "/rerun", "{\"from\": \"nope\"}"),
                404,
                "pipeline 'fails' has no stage 'nope'");
        assertProblem(
                postAs("/api/runs/" + decidedRun + "/rerun", "{}"),
                409,
                "only a FAILED, CANCELLED or COMPENSATED run can be rerun");
        assertUnchanged(before);
    }

    @Test
    void anIdempotencyKeyReusedForAnotherRequestIsRefused() throws Exception {
        TestBaton.Response first =
                postAs("/api/pipelines/good/runs", "{\"topic\": \"k\"}", "Idempotency-Key", "catalogue-key");
        assertThat(first.status()).isIn(200, 201);
        baton.awaitRun(first.body().path("id").asText(), Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> baton.query("SELECT * FROM outbox").isEmpty());
        State before = state();
        assertProblem(
                postAs("/api/pipelines/good/runs", "{\"topic\": \"other\"}", "Idempotency-Key", "catalogue-key"),
                422,
                "");
        assertProblem(
                postAs("/api/pipelines/good/runs", "{\"topic\": \"k\"}", "Idempotency-Key", "k".repeat(1000)),
                400,
                "Idempotency-Key must be");
        assertUnchanged(before);
    }

    @ParameterizedTest(name = "GET {0}")
    @ValueSource(
            strings = {
                "/api/runs/nope",
                "/api/runs/nope/history",
                "/api/runs/nope/tickets",
                "/api/runs/nope/events?after=3",
                "/api/pipelines/nope",
                "/api/runs?limit=abc",
                "/api/dead-letters?limit=0"
            })
    void unknownRunsPipelinesAndBadQueriesAreProblems(String path) throws Exception {
        State before = state();
        TestBaton.Response r = baton.get(path);
        assertThat(r.status()).as(path + " " + r.body()).isIn(400, 404);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(r.body().path("detail").asText()).isNotBlank();
        assertUnchanged(before);
    }

    static Stream<Arguments> badPaging() {
        String otherRun = TicketCursorText.of("another-run", "");
        return Stream.of(
                Arguments.of("/api/runs/RUN?tickets=-1", "tickets must be an integer from 0 to 1000"),
                Arguments.of("/api/runs/RUN?tickets=1001", "tickets must be an integer from 0 to 1000"),
                Arguments.of("/api/runs/RUN?tickets=all", "tickets must be an integer, not 'all'"),
                Arguments.of("/api/runs/RUN/tickets?limit=0", "limit must be from 1 to 1000, not 0"),
                Arguments.of("/api/runs/RUN/tickets?limit=1001", "limit must be from 1 to 1000, not 1001"),
                Arguments.of("/api/runs/RUN/tickets?limit=ten", "limit must be an integer, not 'ten'"),
                Arguments.of("/api/runs/RUN/tickets?cursor=%25%25", "cursor is not one this server made"),
                Arguments.of("/api/runs/RUN/tickets?cursor=cjEKeA", "cursor is not one this server made"),
                Arguments.of("/api/runs/RUN/tickets?cursor=" + otherRun, "cursor was made for another run"),
                Arguments.of(
                        "/api/runs/RUN/tickets?stage=gate2&cursor=" + TicketCursorText.of("RUN", ""),
                        "cursor was made for another run or stage filter"),
                Arguments.of("/api/runs/RUN/history?after=-1", "after must be a seq of 0 or more, not -1"),
                Arguments.of("/api/runs/RUN/history?limit=0", "limit must be from 1 to 1000, not 0"),
                Arguments.of("/api/runs/RUN/events?after=x", "after must be an integer, not 'x'"),
                Arguments.of("/api/runs/RUN/events?limit=5000", "limit must be from 1 to 1000, not 5000"));
    }

    /** Bad paging parameters of a run's views: 400 problem+json naming the parameter, and nothing changed. */
    @ParameterizedTest(name = "GET {0}")
    @MethodSource("badPaging")
    void badPagingParametersAreProblems(String path, String detail) throws Exception {
        State before = state();
        String url = path.replace("RUN", waitingRun)
                .replace(TicketCursorText.of("RUN", ""), TicketCursorText.of(waitingRun, ""));
        TestBaton.Response r = baton.get(url);
        assertThat(r.status()).as(url + " " + r.body()).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(r.body().path("detail").asText()).contains(detail);
        assertUnchanged(before);
    }

    /** A well-formed tickets cursor as the server makes them, for a run and stage filter of the test's choosing. */
    private static final class TicketCursorText {
        static String of(String run, String stage) {
            return java.util.Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(
                            String.join("\n", "t1", run, stage, "a", "0", "0").getBytes(StandardCharsets.UTF_8));
        }
    }

    // ---------------------------------------------------------------- messages

    private static String reply(String ticketId, int attempt, String status) {
        return Json.write(Json.object()
                .put("ticketId", ticketId)
                .put("attempt", attempt)
                .put("status", status)
                .put("output", "x"));
    }

    /** Sends as Baton's user (Baton trusts it with any ticket) or, with {@code agent}, as that agent's user. */
    private static void send(String queue, String text, String correlation, String agent) throws Exception {
        if (agent == null) {
            TextMessage m = session.createTextMessage(text);
            if (correlation != null) m.setJMSCorrelationID(correlation);
            session.createProducer(session.createQueue(queue)).send(m);
            return;
        }
        try (Connection c = baton.agentConnections(agent).createConnection()) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            TextMessage m = s.createTextMessage(text);
            if (correlation != null) m.setJMSCorrelationID(correlation);
            s.createProducer(s.createQueue(queue)).send(m);
        }
    }

    /** Poison on baton.results and baton.approvals: dead-lettered with the reason, nothing applied. */
    static Stream<Arguments> poison() {
        return Stream.of(
                Arguments.of("baton.results", "{not json MARK", "reply is not JSON"),
                Arguments.of("baton.results", "[\"MARK\"]", "reply must be a JSON object"),
                Arguments.of(
                        "baton.results",
                        "{\"ticketId\": \"TICKET\", \"status\": \"succeeded\", \"m\": \"MARK\"}",
                        "has no integer 'attempt'"),
                Arguments.of(
                        "baton.results",
                        "{\"ticketId\": \"TICKET\", \"attempt\": 1, \"status\": \"done\", " + "\"m\": \"MARK\"}",
                        "reply status must be succeeded, failed or progress, not 'done'"),
                Arguments.of(
                        "baton.results",
                        "{\"ticketId\": \"no-such-ticket\", \"attempt\": 1, "
                                + "\"status\": \"succeeded\", \"m\": \"MARK\"}",
                        "unknown ticket no-such-ticket"),
                Arguments.of(
                        "baton.results",
                        "{\"attempt\": 1, \"status\": \"succeeded\", \"m\": \"MARK\"}",
                        "reply has no ticketId and no JMSCorrelationID"),
                Arguments.of("baton.approvals", "{not json MARK", "decision cannot be applied"),
                Arguments.of(
                        "baton.approvals",
                        "{\"runId\": \"nope\", \"stage\": \"gate2\", \"decision\": "
                                + "\"approve\", \"approver\": \"bob\", \"comment\": \"MARK\"}",
                        "run nope does not exist"),
                Arguments.of(
                        "baton.approvals",
                        "{\"runId\": \"RUN\", \"stage\": \"gate2\", \"decision\": "
                                + "\"perhaps\", \"approver\": \"bob\", \"comment\": \"MARK\"}",
                        "decision cannot be applied"));
    }

    @ParameterizedTest(name = "poison on {0}: {2}")
    @MethodSource("poison")
    void aPoisonMessageIsDeadLetteredWithItsReasonAndChangesNothing(String queue, String text, String reason)
            throws Exception {
        String mark = UUID.randomUUID().toString();
        String body = text.replace("MARK", mark).replace("TICKET", extTicket).replace("RUN", waitingRun);
        State before = state();
        send(queue, body, null, null);
        await().atMost(Duration.ofSeconds(30)).until(() -> deadLetterReason(mark) != null);
        assertThat(deadLetterReason(mark)).contains(reason);
        assertUnchanged(before);
    }

    @Test
    void aReplyWhoseTicketIdDisagreesWithItsCorrelationIdIsDeadLettered() throws Exception {
        String mark = UUID.randomUUID().toString();
        State before = state();
        send(
                "baton.results",
                reply(extTicket, 1, "succeeded").replace("\"x\"", "\"" + mark + "\""),
                UUID.randomUUID().toString(),
                "ext");
        await().atMost(Duration.ofSeconds(30)).until(() -> deadLetterReason(mark) != null);
        assertThat(deadLetterReason(mark))
                .startsWith("reply names ticket " + extTicket + " but its JMSCorrelationID is");
        assertUnchanged(before);
    }

    @Test
    void aForgedReplyFromAnotherAgentsUserIsRefused() throws Exception {
        State before = state();
        send("baton.results", reply(extTicket, 1, "succeeded"), extTicket, "other");
        assertOnlyRefused(before, "reply sent by broker user 'other', not by agent 'ext'");
    }

    @Test
    void aReplyForAStaleOrFutureAttemptIsRefused() throws Exception {
        State before = state();
        send("baton.results", reply(extTicket, 2, "succeeded"), extTicket, "ext");
        assertOnlyRefused(before, "stale attempt 2; the current attempt is 1");
    }

    @Test
    void aReplyForAFinishedRunIsRefused() throws Exception {
        String done = baton.query("SELECT id FROM ticket WHERE run_id = ?", decidedRun).stream()
                .map(r -> r.get("id").toString())
                .filter(id -> !id.isEmpty())
                .toList()
                .get(0);
        State before = state();
        send("baton.results", reply(done, 1, "failed"), done, null);
        assertOnlyRefused(before, "run is already SUCCEEDED");
    }

    @Test
    void aDecisionOverJmsWithAReplyToGetsTheReasonAndChangesNothing() throws Exception {
        State before = state();
        var replies = session.createTemporaryQueue();
        TextMessage m = session.createTextMessage(
                "{\"runId\": \"nope\", \"stage\": \"gate2\", " + "\"decision\": \"approve\", \"approver\": \"bob\"}");
        m.setJMSReplyTo(replies);
        session.createProducer(session.createQueue("baton.approvals")).send(m);
        TextMessage answer = (TextMessage) session.createConsumer(replies).receive(30_000);
        assertThat(answer).isNotNull();
        JsonNode a = Json.parse(answer.getText());
        assertThat(a.path("verdict").asText()).isEqualTo("INVALID");
        assertThat(a.path("error").asText()).contains("run nope does not exist");
        assertUnchanged(before);
    }

    /** The reason Baton gave for the dead-lettered message whose body contains {@code mark}, or null. */
    static String deadLetterReason(String mark) throws Exception {
        try (QueueBrowser browser = session.createBrowser(session.createQueue("baton.DLQ"))) {
            for (Object o : Collections.list(browser.getEnumeration())) {
                Message m = (Message) o;
                if (m instanceof TextMessage t
                        && t.getText() != null
                        && t.getText().contains(mark)) {
                    String reason = m.getStringProperty("BatonDeadLetterReason");
                    return reason == null ? "" : reason;
                }
            }
        }
        return null;
    }

    /**
     * POST as the test admin, except that a decision naming an approver is sent with that approver's credentials:
     * the approver of a decision is the caller (a body naming someone else is refused before anything else).
     */
    private static TestBaton.Response postAs(String path, String body, String... headers) throws Exception {
        String who = null;
        try {
            var approver = dev.baton.pipeline.Json.parse(body).path("approver");
            who = approver.isTextual() ? approver.asText() : null;
        } catch (RuntimeException e) {
            who = null; // not JSON: the admin sends it
        }
        return who != null && dev.baton.TestSecurity.IDENTITIES.containsKey(who)
                ? baton.as(who).post(path, body, headers)
                : baton.post(path, body, headers);
    }
}
