package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import dev.baton.TestBaton.Response;
import dev.baton.cli.CliTest;
import dev.baton.pipeline.Json;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Approval stages on the real engine: policies, refusals, the timeout race both ways, REST, JMS and the CLI. */
class ApprovalStageTest {
    @TempDir
    static Path root;

    static TestBaton baton;

    static String pipeline(String name, String approval) {
        return """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: %s}
                spec:
                  pipeline:
                    stages:
                      - {name: book, agent: booker, output: "$.booking", compensate: {agent: undo}}
                      - name: gate
                        dependsOn: [book]
                        approval: %s
                      - {name: ship, dependsOn: [gate], agent: booker, input: "$.gate"}
                """.formatted(name, approval);
    }

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(
                root,
                """
                agents:
                  booker: {kind: demo, output: {booked: "{{ stage }}"}}
                  undo: {kind: demo, output: {undone: true}}
                """,
                Map.of(
                        "any.yaml", pipeline("any", "{approvers: [alice, bob], policy: any}"),
                        "all.yaml", pipeline("all", "{approvers: [alice, bob], policy: all}"),
                        "quorum.yaml", pipeline("quorum", "{approvers: [a, b, c], policy: quorum, quorum: 2}"),
                        "open.yaml", pipeline("open", "{}"),
                        "expires.yaml", pipeline("expires", "{approvers: [alice], timeout: 300ms, onTimeout: reject}"),
                        "lenient.yaml", pipeline("lenient", "{timeout: 300ms, onTimeout: approve}"),
                        "slow.yaml", pipeline("slow", "{approvers: [alice], timeout: 2s, onTimeout: approve}"),
                        "race.yaml", pipeline("race", "{approvers: [alice], timeout: 1s, onTimeout: reject}")));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    private static String waiting(String pipeline) throws Exception {
        String id = baton.startRun(pipeline, "{}");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> stage(id, "gate").path("status").asText().equals("WAITING_APPROVAL"));
        return id;
    }

    private static JsonNode stage(String runId, String name) throws Exception {
        for (JsonNode s : baton.get("/api/runs/" + runId).body().path("stages")) {
            if (s.path("name").asText().equals(name)) {
                return s;
            }
        }
        throw new AssertionError("no stage " + name);
    }

    private static Response decide(String runId, String approver, String decision, String comment) throws Exception {
        return baton.as(approver)
                .post(
                        "/api/runs/" + runId + "/approvals/gate",
                        Json.write(Json.object().put("decision", decision).put("comment", comment)));
    }

    private static List<String> history(String runId) throws Exception {
        return baton
                .query(
                        "SELECT status, actor, detail FROM ticket_history WHERE run_id = ? AND stage = 'gate' "
                                + "ORDER BY seq",
                        runId)
                .stream()
                .map(r -> r.get("status") + " " + r.get("actor") + " " + r.get("detail"))
                .toList();
    }

    @Test
    void anyIsDecidedByTheFirstApprovalAndALaterDecisionGets409WithTheOutcome() throws Exception {
        String id = waiting("any");
        assertThat(stage(id, "gate").path("tickets").get(0).path("status").asText())
                .isEqualTo("WAITING_APPROVAL");

        Response first = decide(id, "alice", "approve", "ship it");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.body().path("counted").asBoolean()).isTrue();
        assertThat(first.body().path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(first.body().path("decisions").get(0).path("comment").asText())
                .isEqualTo("ship it");
        JsonNode run = baton.awaitRun(id, Duration.ofSeconds(20));
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.at("/context").has("booking")).isTrue();

        Response late = decide(id, "bob", "reject", null);
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
        assertThat(late.body().path("detail").asText())
                .isEqualTo("stage 'gate' was already decided: approved by alice");
        assertThat(late.body().at("/approval/outcome").asText()).isEqualTo("approved by alice");
        assertThat(baton.awaitRun(id, Duration.ofSeconds(5)).path("status").asText())
                .isEqualTo("SUCCEEDED");
        assertThat(history(id))
                .containsSubsequence(
                        "APPROVED alice ship it",
                        "REFUSED bob reject refused: stage 'gate' was already decided: approved by alice");
    }

    @Test
    void allNeedsEveryApproverEachCountsOnceAndStrangersAreForbidden() throws Exception {
        String id = waiting("all");
        assertThat(decide(id, "alice", "approve", null).body().path("status").asText())
                .isEqualTo("WAITING_APPROVAL");

        Response again = decide(id, "alice", "approve", null);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body().path("counted").asBoolean()).isFalse();
        assertThat(again.body().path("decisions")).hasSize(1);
        Response changed = decide(id, "alice", "reject", null);
        assertThat(changed.status()).isEqualTo(409);
        assertThat(changed.body().path("detail").asText()).isEqualTo("'alice' already decided: approved");
        Response stranger = decide(id, "carol", "approve", null);
        assertThat(stranger.status()).isEqualTo(403);
        assertThat(stranger.body().path("detail").asText())
                .isEqualTo("'carol' is not an approver of stage 'gate' (approvers: alice, bob)");
        assertThat(stage(id, "gate").path("status").asText()).isEqualTo("WAITING_APPROVAL");

        assertThat(decide(id, "bob", "approve", null).body().path("status").asText())
                .isEqualTo("SUCCEEDED");
        assertThat(baton.awaitRun(id, Duration.ofSeconds(20)).path("status").asText())
                .isEqualTo("SUCCEEDED");
        assertThat(history(id).stream().filter(h -> h.startsWith("APPROVED"))).hasSize(2);
    }

    @Test
    void quorumNeedsThatManyApprovalsAndAnOpenStageTakesAnyone() throws Exception {
        String q = waiting("quorum");
        assertThat(decide(q, "a", "approve", null).body().path("status").asText())
                .isEqualTo("WAITING_APPROVAL");
        assertThat(decide(q, "c", "approve", null).body().path("status").asText())
                .isEqualTo("SUCCEEDED");
        JsonNode run = baton.awaitRun(q, Duration.ofSeconds(20));
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.at("/context/gate/how").asText("")).isEmpty(); // the gate has no output path
        assertThat(stage(q, "gate").at("/output/how").asText()).isEqualTo("approved by a, c");

        String open = waiting("open");
        assertThat(decide(open, "anybody", "approve", null).status()).isEqualTo(200);
        assertThat(baton.awaitRun(open, Duration.ofSeconds(20)).path("status").asText())
                .isEqualTo("SUCCEEDED");
    }

    @Test
    void aRejectionFailsTheRunAndCompensatesWhatWasDone() throws Exception {
        String id = waiting("any");
        Response r = decide(id, "bob", "reject", "too expensive");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().path("status").asText()).isEqualTo("FAILED");

        JsonNode run = baton.awaitRun(id, Duration.ofSeconds(20));
        assertThat(run.path("status").asText()).isEqualTo("COMPENSATED");
        assertThat(run.path("error").asText()).isEqualTo("stage 'gate' failed: rejected by bob: too expensive");
        assertThat(baton.query("SELECT status FROM ticket WHERE run_id = ? AND item = -1", id))
                .extracting(m -> m.get("status"))
                .containsExactly("SUCCEEDED");
        assertThat(stage(id, "ship").path("status").asText()).isEqualTo("CANCELLED");
    }

    @Test
    void aTimeoutThatFiredFirstWinsAndTheLaterHumanDecisionIsRefused() throws Exception {
        String rejects = waiting("expires");
        JsonNode run = baton.awaitRun(rejects, Duration.ofSeconds(20));
        assertThat(run.path("status").asText()).isEqualTo("COMPENSATED");
        assertThat(run.path("error").asText())
                .isEqualTo("stage 'gate' failed: rejected by timeout (no decision within 300ms; onTimeout: reject)");

        Response late = decide(rejects, "alice", "approve", null);
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.body().at("/approval/outcome").asText())
                .isEqualTo("rejected by timeout (no decision within 300ms; onTimeout: reject)");
        assertThat(baton.awaitRun(rejects, Duration.ofSeconds(5)).path("status").asText())
                .isEqualTo("COMPENSATED");
        assertThat(history(rejects))
                .anyMatch(h -> h.startsWith("REFUSED alice approve refused"))
                .noneMatch(h -> h.startsWith("APPROVED"));

        String approves = waiting("lenient");
        assertThat(baton.awaitRun(approves, Duration.ofSeconds(20))
                        .path("status")
                        .asText())
                .isEqualTo("SUCCEEDED");
        assertThat(stage(approves, "gate").at("/output/how").asText()).startsWith("approved by timeout");
    }

    @Test
    void aHumanDecisionFirstWinsAndTheLaterTimeoutIsIgnoredAndRecorded() throws Exception {
        String id = waiting("slow");
        assertThat(decide(id, "alice", "reject", "no").status()).isEqualTo(200);
        assertThat(baton.awaitRun(id, Duration.ofSeconds(20)).path("status").asText())
                .isEqualTo("COMPENSATED");

        // the 2 s timeout (onTimeout: approve) still arrives, and must change nothing
        await().atMost(Duration.ofSeconds(20))
                .until(() -> history(id).stream()
                        .anyMatch(h -> h.equals("REFUSED baton timeout after the stage was decided: ignored")));
        JsonNode run = baton.awaitRun(id, Duration.ofSeconds(5));
        assertThat(run.path("status").asText()).isEqualTo("COMPENSATED");
        assertThat(run.path("error").asText()).isEqualTo("stage 'gate' failed: rejected by alice: no");
        assertThat(history(id)).noneMatch(h -> h.startsWith("TIMED_OUT"));
    }

    @Test
    void decisionsRacingTheTimeoutHaveExactlyOneOutcomeEach() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ids.add(baton.startRun("race", "{}"));
        }
        // Decide run i at 800 + 35 i ms after its gate opened: on both sides of its 1 s timeout.
        List<CompletableFuture<Response>> answers = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            // the gate opened (it may have timed out already when this run is polled late)
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> !List.of("WAITING_DEPS", "QUEUED")
                            .contains(stage(id, "gate").path("status").asText()));
            java.time.Instant opened =
                    java.time.Instant.parse(stage(id, "gate").path("startedAt").asText());
            long delay = Math.max(
                    0,
                    java.time.Duration.between(java.time.Instant.now(), opened.plusMillis(800 + 35L * i))
                            .toMillis());
            answers.add(CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            return decide(id, "alice", "approve", null);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    CompletableFuture.delayedExecutor(delay, java.util.concurrent.TimeUnit.MILLISECONDS)));
        }
        int humans = 0;
        int timeouts = 0;
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            Response answer = answers.get(i).get();
            JsonNode run = baton.awaitRun(id, Duration.ofSeconds(20));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> history(id).stream().anyMatch(h -> h.startsWith("REFUSED")));
            List<String> h = history(id);
            long approved = h.stream().filter(x -> x.startsWith("APPROVED")).count();
            long timedOut = h.stream().filter(x -> x.startsWith("TIMED_OUT")).count();
            assertThat(approved + timedOut).as(id + ": " + h).isEqualTo(1);
            if (answer.status() == 200) {
                humans++;
                assertThat(approved).isEqualTo(1);
                assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
                assertThat(h).contains("REFUSED baton timeout after the stage was decided: ignored");
            } else {
                timeouts++;
                assertThat(answer.status()).isEqualTo(409);
                assertThat(timedOut).isEqualTo(1);
                assertThat(run.path("status").asText()).isEqualTo("COMPENSATED");
            }
        }
        System.out.printf("approval race: %d decided by people, %d by the timeout%n", humans, timeouts);
        assertThat(humans + timeouts).isEqualTo(ids.size());
    }

    @Test
    void badDecisionsAreRefusedAndChangeNothing() throws Exception {
        String id = waiting("any");
        assertThat(baton.post("/api/runs/" + id + "/approvals/gate", "{not json")
                        .status())
                .isEqualTo(400);
        Response fields = baton.post("/api/runs/" + id + "/approvals/gate", "{\"decision\":\"maybe\",\"who\":\"x\"}");
        assertThat(fields.status()).isEqualTo(400);
        assertThat(fields.body().path("errors"))
                .extracting(JsonNode::asText)
                .containsExactly(
                        "unknown field 'who'; expected decision, approver, comment",
                        "decision must be \"approve\" or \"reject\"");
        Response impostor = baton.as("alice")
                .post("/api/runs/" + id + "/approvals/gate", "{\"decision\":\"approve\",\"approver\":\"bob\"}");
        assertThat(impostor.status()).isEqualTo(400);
        assertThat(impostor.body().path("errors").get(0).asText())
                .isEqualTo("approver 'bob' is not the caller: a "
                        + "decision is recorded as the authenticated identity ('alice'); leave approver out");
        assertThat(baton.as("viewer")
                        .post("/api/runs/" + id + "/approvals/gate", "{\"decision\":\"approve\"}")
                        .status())
                .as("a viewer may not decide")
                .isEqualTo(403);
        assertThat(decide("00000000-0000-0000-0000-000000000000", "alice", "approve", null)
                        .status())
                .isEqualTo(404);
        assertThat(baton.as("a")
                        .post("/api/runs/" + id + "/approvals/nope", "{\"decision\":\"approve\",\"approver\":\"a\"}")
                        .status())
                .isEqualTo(404);
        Response notApproval = baton.as("alice")
                .post("/api/runs/" + id + "/approvals/ship", "{\"decision\":\"approve\",\"approver\":\"alice\"}");
        assertThat(notApproval.status()).isEqualTo(400);
        assertThat(notApproval.body().path("detail").asText()).isEqualTo("stage 'ship' is agent, not approval");
        assertThat(stage(id, "gate").path("status").asText()).isEqualTo("WAITING_APPROVAL");
        assertThat(history(id)).noneMatch(h -> h.startsWith("APPROVED") || h.startsWith("REJECTED"));
        assertThat(decide(id, "alice", "approve", null).status()).isEqualTo(200);
    }

    @Test
    void aDecisionOverJmsIsAppliedAndAnsweredOnReplyTo() throws Exception {
        String id = waiting("any");
        var cf = baton.brokerConnections();
        try (Connection c = cf.createConnection()) {
            c.start();
            Session session = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            var replies = session.createTemporaryQueue();
            var answers = session.createConsumer(replies);
            TextMessage m = session.createTextMessage(Json.write(Json.object()
                    .put("runId", id)
                    .put("stage", "gate")
                    .put("decision", "approve")
                    .put("approver", "bob")
                    .put("comment", "over JMS")));
            m.setJMSReplyTo(replies);
            m.setJMSCorrelationID("decision-1");
            session.createProducer(session.createQueue("baton.approvals")).send(m);
            Message reply = answers.receive(20_000);
            assertThat(reply).isNotNull();
            assertThat(reply.getJMSCorrelationID()).isEqualTo("decision-1");
            JsonNode answer = Json.parse(((TextMessage) reply).getText());
            assertThat(answer.path("verdict").asText()).isEqualTo("COUNTED");
            assertThat(answer.path("status").asText()).isEqualTo("SUCCEEDED");

            TextMessage bad = session.createTextMessage("{\"runId\": \"" + id + "\", \"stage\": \"gate\"}");
            bad.setJMSReplyTo(replies);
            session.createProducer(session.createQueue("baton.approvals")).send(bad);
            JsonNode refused = Json.parse(((TextMessage) answers.receive(20_000)).getText());
            assertThat(refused.path("verdict").asText()).isEqualTo("INVALID");
            assertThat(refused.path("error").asText()).contains("decision must be \"approve\" or \"reject\"");
        }
        assertThat(baton.awaitRun(id, Duration.ofSeconds(20)).path("status").asText())
                .isEqualTo("SUCCEEDED");
        assertThat(history(id)).contains("APPROVED bob over JMS");
    }

    @Test
    void theCliApprovesAndRejects() throws Exception {
        String server = "http://127.0.0.1:" + baton.port;
        String id = waiting("all");
        CliTest.Result first = CliTest.runAs("alice", "approve", id, "gate", "-m", "fine", "--server", server);
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).startsWith("gate counted: WAITING_APPROVAL").contains("approve  alice        fine");
        CliTest.Result reject = CliTest.runAs("bob", "approve", id, "gate", "--reject", "--server", server);
        assertThat(reject.exit()).isZero();
        assertThat(reject.out()).startsWith("gate counted: FAILED (rejected by bob)");
        CliTest.Result retried = CliTest.runAs("alice", "approve", id, "gate", "--server", server);
        assertThat(retried.exit()).as("the same decision again changes nothing").isZero();
        assertThat(retried.out()).startsWith("gate already counted: FAILED (rejected by bob)");
        CliTest.Result late = CliTest.runAs("alice", "approve", id, "gate", "--reject", "--server", server);
        assertThat(late.exit()).isEqualTo(2);
        assertThat(late.err()).contains("409 stage 'gate' was already decided: rejected by bob");
        assertThat(baton.awaitRun(id, Duration.ofSeconds(20)).path("status").asText())
                .isEqualTo("COMPENSATED");
    }
}
