package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.ScriptedAgent;
import dev.baton.TestBaton;
import dev.baton.pipeline.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** for_each stages on the real broker and H2: one ticket per item, the parallelism bound, order, errors. */
class ForEachStageTest {
    @TempDir
    static Path root;

    static TestBaton baton;
    static ScriptedAgent picky;

    static String pipeline(String name, int maxParallel, String extra) {
        return """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: %s}
                spec:
                  params:
                    issues: {required: true}
                  pipeline:
                    stages:
                      - name: fix-each
                        dynamic:
                          generator: for_each
                          input: "$.params.issues"
                          maxParallel: %d
                          template: {name: "fix-{{ item.id }}", agent: %s, input: {issue: "{{ item }}", n: "{{ index }}", title: "#{{ index }}: {{ item.title }}"}}
                          %s
                        output: "$.fixes"
                      - {name: after, dependsOn: [fix-each], agent: echo, input: "$.fixes"}
                """.formatted(name, maxParallel, name.startsWith("picky") ? "picky" : "fixer", extra);
    }

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(
                root,
                """
                agents:
                  fixer: {kind: demo, output: {fixed: "{{ input.issue.id }}", n: "{{ input.n }}", title: "{{ input.title }}"}, delay: 20ms}
                  echo: {kind: demo}
                  picky: {kind: external}
                """,
                Map.of(
                        "each.yaml", pipeline("each", 3, ""),
                        "picky.yaml", pipeline("picky", 2, ""),
                        "picky-tolerant.yaml", pipeline("picky-tolerant", 2, "continueOnError: true")));
        // fails (for good) every item whose id is odd
        picky = ScriptedAgent.start(
                baton,
                "picky",
                t -> t.path("input").path("issue").path("id").asInt() % 2 == 1
                        ? ScriptedAgent.fail(
                                "cannot fix "
                                        + t.path("input")
                                                .path("issue")
                                                .path("id")
                                                .asInt(),
                                false)
                        : ScriptedAgent.succeed(Json.object()
                                .put(
                                        "fixed",
                                        t.path("input").path("issue").path("id").asInt())));
    }

    @AfterAll
    static void stop() throws Exception {
        if (picky != null) picky.close();
        if (baton != null) baton.close();
    }

    static String issues(int n) {
        StringBuilder sb = new StringBuilder("{\"issues\": [");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",")
                    .append("{\"id\": ")
                    .append(100 + i)
                    .append(", \"title\": \"t")
                    .append(i)
                    .append("\"}");
        }
        return sb.append("]}").toString();
    }

    @Test
    void oneTicketPerItemOutputsInItemOrderAtMostMaxParallelInFlight() throws Exception {
        String id = baton.startRun("each", issues(12));
        JsonNode run = baton.awaitRun(id, Duration.ofSeconds(60));
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");

        JsonNode stage = run.path("stages").get(0);
        assertThat(stage.path("items")).isEqualTo(Json.parse("{\"total\":12,\"dispatched\":12,\"done\":12}"));
        assertThat(stage.path("tickets")).hasSize(12);
        assertThat(stage.path("tickets").get(4).path("label").asText()).isEqualTo("fix-104");
        assertThat(stage.path("tickets").get(4).path("item").asInt()).isEqualTo(4);
        JsonNode fixes = run.path("context").path("fixes");
        assertThat(fixes).hasSize(12);
        for (int i = 0; i < 12; i++) {
            assertThat(fixes.get(i).path("fixed").asInt()).isEqualTo(100 + i);
            assertThat(fixes.get(i).path("n").asInt()).isEqualTo(i); // {{ index }} kept its JSON type
            assertThat(fixes.get(i).path("title").asText()).isEqualTo("#" + i + ": t" + i);
        }
        assertThat(maxInFlight(id, "fix-each")).isEqualTo(3);
    }

    /** The largest number of the stage's tickets between QUEUED and their end, replayed from the history. */
    static int maxInFlight(String runId, String stage) throws Exception {
        Set<Object> inFlight = new HashSet<>();
        int max = 0;
        for (Map<String, Object> h : baton.query(
                "SELECT ticket_id, status FROM ticket_history WHERE run_id = ? "
                        + "AND stage = ? AND ticket_id IS NOT NULL ORDER BY seq",
                runId,
                stage)) {
            switch ((String) h.get("status")) {
                case "QUEUED" -> inFlight.add(h.get("ticket_id"));
                case "SUCCEEDED", "CANCELLED" -> inFlight.remove(h.get("ticket_id"));
                case "FAILED" -> {}
                default -> {}
            }
            max = Math.max(max, inFlight.size());
        }
        return max;
    }

    @Test
    void everyItemTicketCarriesTheRunsParamsWhenTheyAreLargeEnoughToBeKept() throws Exception {
        String params = issues(150); // over 2,048 characters: later transitions take them as kept (RunParams)
        assertThat(params.length()).isGreaterThan(4096);
        String id = baton.startRun("picky-tolerant", params);
        assertThat(baton.awaitRun(id, Duration.ofSeconds(60)).path("status").asText())
                .isEqualTo("SUCCEEDED");
        List<JsonNode> mine = picky.tickets.stream()
                .filter(t -> t.path("runId").asText().equals(id))
                .toList();
        assertThat(mine).hasSize(150);
        assertThat(mine).allSatisfy(t -> assertThat(t.path("params")).isEqualTo(Json.parse(params)));
    }

    @Test
    void anEmptyListCompletesAtOnceWithAnEmptyOutput() throws Exception {
        JsonNode run = baton.awaitRun(baton.startRun("each", "{\"issues\": []}"), Duration.ofSeconds(30));
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.path("context").path("fixes")).isEqualTo(Json.parse("[]"));
        assertThat(run.path("stages").get(0).path("tickets")).isEmpty();
    }

    @Test
    void anInputThatIsNotAnArrayFailsTheStageSayingWhatItIs() throws Exception {
        JsonNode run = baton.awaitRun(baton.startRun("each", "{\"issues\": {\"id\": 1}}"), Duration.ofSeconds(30));
        assertThat(run.path("status").asText()).isEqualTo("FAILED");
        assertThat(run.path("error").asText())
                .isEqualTo("stage 'fix-each' failed: for_each input $.params.issues is object, not an array");
    }

    @Test
    void aFailedItemFailsTheStageAndCancelsTheRest() throws Exception {
        JsonNode run = baton.awaitRun(baton.startRun("picky", issues(6)), Duration.ofSeconds(30));
        assertThat(run.path("status").asText()).isEqualTo("FAILED");
        assertThat(run.path("error").asText())
                .isEqualTo("stage 'fix-each' failed: item 1 'fix-101' failed after 1 attempt: cannot fix 101");
        List<String> statuses = run.path("stages").get(0).path("tickets").findValuesAsText("status");
        assertThat(statuses).doesNotContain("QUEUED", "RUNNING", "PENDING");
        assertThat(statuses).contains("CANCELLED");
    }

    @Test
    void continueOnErrorCollectsTheErrorsInItemOrder() throws Exception {
        JsonNode run = baton.awaitRun(baton.startRun("picky-tolerant", issues(5)), Duration.ofSeconds(30));
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        JsonNode fixes = run.path("context").path("fixes");
        assertThat(fixes).hasSize(5);
        assertThat(fixes.get(0).path("fixed").asInt()).isEqualTo(100);
        assertThat(fixes.get(1))
                .isEqualTo(Json.parse("{\"error\":\"cannot fix 101\",\"item\":1,\"label\":\"fix-101\"}"));
        assertThat(fixes.get(4).path("fixed").asInt()).isEqualTo(104);
    }
}
