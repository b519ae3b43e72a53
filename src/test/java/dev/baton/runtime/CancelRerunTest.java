package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.ScriptedAgent;
import dev.baton.TestBaton;
import dev.baton.TestBaton.Response;
import dev.baton.cli.CliTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cancel a run in flight (for_each included) and rerun ended runs from a stage, on the real engine. */
class CancelRerunTest {
    @TempDir
    static Path root;

    static TestBaton baton;
    static ScriptedAgent holder;

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(root, """
                agents:
                  booker: {kind: demo, output: {booked: "{{ stage }}"}}
                  undo: {kind: demo, output: {undone: true}}
                  flaky: {kind: demo, failFirstAttempts: 1, output: {done: "{{ stage }}"}}
                  holder: {kind: external}
                """, Map.of("each.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: each}
                spec:
                  params:
                    items: {default: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}
                  pipeline:
                    stages:
                      - {name: book, agent: booker, output: "$.booking", compensate: {agent: undo}}
                      - name: work
                        dependsOn: [book]
                        dynamic: {generator: for_each, input: "$.params.items", maxParallel: 3, template: {agent: holder}}
                """, "chain.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: chain}
                spec:
                  pipeline:
                    stages:
                      - {name: a, agent: booker, output: "$.a"}
                      - {name: b, dependsOn: [a], agent: booker, output: "$.b"}
                      - {name: c, dependsOn: [b], agent: flaky, output: "$.c"}
                """, "saga.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: saga}
                spec:
                  pipeline:
                    stages:
                      - {name: book, agent: booker, output: "$.booking", compensate: {agent: undo}}
                      - {name: pay, dependsOn: [book], agent: flaky}
                """));
        holder = ScriptedAgent.start(baton, "holder", t -> null); // takes tickets and never answers
    }

    @AfterAll
    static void stop() throws Exception {
        if (holder != null) holder.close();
        if (baton != null) baton.close();
    }

    private static List<Map<String, Object>> tickets(String runId, String stage) throws Exception {
        return baton.query(
                "SELECT item, attempt, status FROM ticket WHERE run_id = ? AND stage = ? ORDER BY item", runId, stage);
    }

    @Test
    void cancellingDuringAForEachCancelsItsItemsTellsTheAgentAndCompensates() throws Exception {
        String id = baton.startRun("each", "{}");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> holder.tickets.stream()
                                .filter(t -> t.path("runId").asText().equals(id))
                                .count()
                        == 3);

        Response r = baton.post("/api/runs/" + id + "/cancel", "{\"reason\": \"not needed any more\"}");
        assertThat(r.status()).isEqualTo(200);
        JsonNode run = baton.awaitRun(id, Duration.ofSeconds(20));
        assertThat(run.path("status").asText()).isEqualTo("CANCELLED");
        assertThat(run.path("error").asText()).isEqualTo("cancelled: not needed any more");

        List<Map<String, Object>> items = tickets(id, "work");
        assertThat(items)
                .hasSize(10)
                .allSatisfy(t -> assertThat(t.get("status")).isEqualTo("CANCELLED"));
        // the three items in flight were told; the seven never dispatched were not
        await().atMost(Duration.ofSeconds(20))
                .until(() -> holder.controls.stream()
                                .filter(c -> c.path("runId").asText().equals(id))
                                .count()
                        == 3);
        assertThat(holder.controls.stream().filter(c -> c.path("runId").asText().equals(id)))
                .allSatisfy(c -> assertThat(c.path("reason").asText()).isEqualTo("run cancelled"));
        assertThat(holder.tickets.stream().filter(t -> t.path("runId").asText().equals(id)))
                .hasSize(3);
        // book was done, so it was undone before the run ended CANCELLED
        assertThat(baton.query("SELECT status FROM ticket WHERE run_id = ? AND item = -1", id))
                .extracting(m -> m.get("status"))
                .containsExactly("SUCCEEDED");
        assertThat(baton.query(
                        "SELECT status FROM ticket_history WHERE run_id = ? AND ticket_id IS NULL ORDER BY seq", id))
                .extracting(m -> m.get("status"))
                .containsSubsequence("RUN_CANCEL", "RUN_COMPENSATING", "RUN_CANCELLED");
    }

    @Test
    void onlyARunningRunCanBeCancelledAndBadRequestsChangeNothing() throws Exception {
        String done = baton.startRun("chain", "{}");
        baton.awaitRun(done, Duration.ofSeconds(20));
        Response late = baton.post("/api/runs/" + done + "/cancel", "");
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.body().path("detail").asText())
                .isEqualTo("run " + done + " is FAILED; only a RUNNING run can " + "be cancelled");
        assertThat(baton.post("/api/runs/00000000-0000-0000-0000-000000000000/cancel", "")
                        .status())
                .isEqualTo(404);
        Response bad = baton.post("/api/runs/" + done + "/cancel", "{\"reason\": 7, \"why\": \"x\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().path("errors"))
                .extracting(JsonNode::asText)
                .containsExactly(
                        "unknown field 'why'; expected reason",
                        "reason must be a non-empty string of at most 2000 characters");
        assertThat(baton.get("/api/runs/" + done).body().path("status").asText())
                .isEqualTo("FAILED");
    }

    @Test
    void aRerunFromTheFailedStageKeepsEarlierOutputsAndNumbersAttemptsOn() throws Exception {
        String id = baton.startRun("chain", "{}");
        JsonNode failed = baton.awaitRun(id, Duration.ofSeconds(20));
        assertThat(failed.path("status").asText()).isEqualTo("FAILED");

        Response r = baton.post("/api/runs/" + id + "/rerun", "{\"from\": \"c\"}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().path("rerun")).extracting(JsonNode::asText).containsExactly("c");
        JsonNode run = baton.awaitRun(id, Duration.ofSeconds(20));
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.path("error").isNull()).isTrue();
        assertThat(tickets(id, "a"))
                .extracting(t -> ((Number) t.get("attempt")).intValue())
                .containsExactly(1);
        assertThat(tickets(id, "b"))
                .extracting(t -> ((Number) t.get("attempt")).intValue())
                .containsExactly(1);
        assertThat(tickets(id, "c"))
                .extracting(t -> ((Number) t.get("attempt")).intValue())
                .containsExactly(2);
        assertThat(run.at("/context/c/done").asText()).isEqualTo("c");

        // and from an earlier stage: it and everything after it run again, attempts go on
        Response again = baton.post("/api/runs/" + id + "/rerun", "{\"from\": \"b\"}");
        assertThat(again.status()).isEqualTo(409); // SUCCEEDED runs are not rerun
        List<String> history = baton
                .query(
                        "SELECT status, attempt FROM ticket_history WHERE run_id = ? AND stage = 'c' " + "ORDER BY seq",
                        id)
                .stream()
                .map(m -> m.get("status") + "#" + m.get("attempt"))
                .toList();
        assertThat(history).containsSubsequence("QUEUED#1", "FAILED#1", "QUEUED#2", "SUCCEEDED#2");
    }

    @Test
    void aRerunOfACompensatedRunDoesTheUndoneStagesAgain() throws Exception {
        String id = baton.startRun("saga", "{}");
        assertThat(baton.awaitRun(id, Duration.ofSeconds(20)).path("status").asText())
                .isEqualTo("COMPENSATED");

        Response r = baton.post("/api/runs/" + id + "/rerun", "");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().path("rerun")).extracting(JsonNode::asText).containsExactly("book", "pay");
        JsonNode run = baton.awaitRun(id, Duration.ofSeconds(20));
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(baton.query(
                        "SELECT item, attempt, status FROM ticket WHERE run_id = ? AND stage = 'book' "
                                + "ORDER BY item",
                        id))
                .extracting(m -> m.get("item") + ":" + m.get("attempt") + ":" + m.get("status"))
                .containsExactly("-1:1:CANCELLED", "0:2:SUCCEEDED");
        assertThat(baton.query("SELECT detail FROM ticket_history WHERE run_id = ? AND status = 'CANCELLED'", id))
                .extracting(m -> m.get("detail"))
                .contains("superseded by a rerun");
    }

    @Test
    void rerunRefusesRunningRunsAndUnknownStages() throws Exception {
        String id = baton.startRun("each", "{}");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> holder.tickets.stream()
                        .anyMatch(t -> t.path("runId").asText().equals(id)));
        Response running = baton.post("/api/runs/" + id + "/rerun", "");
        assertThat(running.status()).isEqualTo(409);
        assertThat(running.body().path("detail").asText())
                .isEqualTo("run " + id + " is RUNNING; only a FAILED, " + "CANCELLED or COMPENSATED run can be rerun");
        baton.post("/api/runs/" + id + "/cancel", "");
        baton.awaitRun(id, Duration.ofSeconds(20));
        Response unknown = baton.post("/api/runs/" + id + "/rerun", "{\"from\": \"nope\"}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body().path("detail").asText()).isEqualTo("pipeline 'each' has no stage 'nope'");
        assertThat(baton.get("/api/runs/" + id).body().path("status").asText()).isEqualTo("CANCELLED");
    }

    @Test
    void theCliCancelsAndReruns() throws Exception {
        String server = "http://127.0.0.1:" + baton.port;
        String id = baton.startRun("each", "{}");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> holder.tickets.stream()
                        .anyMatch(t -> t.path("runId").asText().equals(id)));
        CliTest.Result cancel = CliTest.run("cancel", id, "--reason", "from the CLI", "--server", server);
        assertThat(cancel.exit()).as(cancel.err()).isZero();
        assertThat(cancel.out()).contains("error: cancelled: from the CLI");

        String failed = baton.startRun("chain", "{}");
        baton.awaitRun(failed, Duration.ofSeconds(20));
        CliTest.Result rerun = CliTest.run("rerun", failed, "--from", "c", "--wait", "--server", server);
        assertThat(rerun.exit()).as(rerun.err()).isZero();
        assertThat(rerun.out())
                .startsWith("rerun " + failed + ": running again c")
                .contains("SUCCEEDED");
    }
}
