package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Conditions (CEL over the run context) and loops on the real broker and H2. */
class ConditionLoopTest {
    @TempDir
    static Path root;

    static TestBaton baton;

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(
                root,
                """
                default: {kind: demo}
                agents:
                  judge: {kind: demo, output: {decision: "{{ input }}"}}
                  counter: {kind: demo, output: {round: "{{ input }}"}}
                """,
                Map.of(
                        "cond.yaml",
                        """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: cond}
                spec:
                  params:
                    verdict: {required: true}
                  pipeline:
                    stages:
                      - {name: review, agent: judge, input: "$.params.verdict", output: "$.review"}
                      - name: rewrite
                        dependsOn: [review]
                        condition: 'review.decision == "reject"'
                        agent: writer
                        output: "$.rewritten"
                      - {name: publish, dependsOn: [rewrite], agent: publisher}
                """,
                        "broken-cond.yaml",
                        """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: broken-cond}
                spec:
                  pipeline:
                    stages:
                      - {name: review, agent: judge, input: "$.params", output: "$.review"}
                      - name: rewrite
                        dependsOn: [review]
                        condition: 'review.missing == "x"'
                        agent: writer
                """,
                        "loop.yaml",
                        """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: refine}
                spec:
                  params:
                    rounds: {default: 3}
                    limit: {default: 5}
                  pipeline:
                    stages:
                      - name: refine
                        loop:
                          until: 'iteration >= params.rounds'
                          maxIterations: 5
                          stages:
                            - {name: draft, agent: writer}
                            - {name: critique, dependsOn: [draft], agent: counter, input: "$.params.rounds", output: "$.last"}
                        output: "$.refined"
                      - {name: publish, dependsOn: [refine], agent: publisher}
                """,
                        "loop-max.yaml",
                        """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: loop-max}
                spec:
                  params:
                    onmax: {default: fail}
                  pipeline:
                    stages:
                      - name: spin
                        loop:
                          until: 'false'
                          maxIterations: 2
                          stages:
                            - {name: work, agent: writer}
                """,
                        "loop-continue.yaml",
                        """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: loop-continue}
                spec:
                  pipeline:
                    stages:
                      - name: spin
                        loop:
                          until: 'false'
                          maxIterations: 2
                          onMaxIterations: continue
                          stages:
                            - {name: work, agent: writer}
                      - {name: after, dependsOn: [spin], agent: publisher}
                """));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    private static JsonNode stage(JsonNode run, String name) {
        for (JsonNode s : run.path("stages")) {
            if (s.path("name").asText().equals(name)) return s;
        }
        throw new AssertionError("no stage " + name + " in " + run);
    }

    @Test
    void aFalseConditionSkipsTheStageAndItsDependentsStillRun() throws Exception {
        JsonNode run = baton.awaitRun(baton.startRun("cond", "{\"verdict\": \"approve\"}"), Duration.ofSeconds(30));
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(stage(run, "rewrite").path("status").asText()).isEqualTo("SKIPPED");
        assertThat(stage(run, "rewrite").path("tickets")).isEmpty();
        assertThat(stage(run, "publish").path("status").asText()).isEqualTo("SUCCEEDED");
    }

    @Test
    void aTrueConditionRunsTheStage() throws Exception {
        JsonNode run = baton.awaitRun(baton.startRun("cond", "{\"verdict\": \"reject\"}"), Duration.ofSeconds(30));
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(stage(run, "rewrite").path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.path("context").has("rewritten")).isTrue();
    }

    @Test
    void aConditionThatCannotBeEvaluatedFailsTheStageWithTheExpressionAndTheReason() throws Exception {
        JsonNode run = baton.awaitRun(baton.startRun("broken-cond", "{}"), Duration.ofSeconds(30));
        assertThat(run.path("status").asText()).isEqualTo("FAILED");
        assertThat(run.path("error").asText())
                .isEqualTo("stage 'rewrite' failed: condition 'review.missing == \"x\"' failed: no such key: missing");
    }

    @Test
    void aLoopRepeatsItsStagesWithNewTicketsUntilTheConditionHolds() throws Exception {
        String id = baton.startRun("refine", "{}");
        JsonNode run = baton.awaitRun(id, Duration.ofSeconds(30));
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(stage(run, "refine").path("iteration").asInt()).isEqualTo(3);
        assertThat(stage(run, "refine").path("output").path("iterations").asInt())
                .isEqualTo(3);
        assertThat(stage(run, "refine")
                        .path("output")
                        .path("outputs")
                        .path("critique")
                        .path("round")
                        .asInt())
                .isEqualTo(3);
        assertThat(stage(run, "publish").path("status").asText()).isEqualTo("SUCCEEDED");

        List<Map<String, Object>> tickets = baton.query(
                "SELECT stage, iteration, status FROM ticket WHERE run_id = ? "
                        + "AND stage LIKE 'refine/%' ORDER BY iteration, stage",
                id);
        assertThat(tickets)
                .extracting(t -> t.get("stage") + "#" + t.get("iteration") + "=" + t.get("status"))
                .containsExactly(
                        "refine/critique#1=SUCCEEDED",
                        "refine/draft#1=SUCCEEDED",
                        "refine/critique#2=SUCCEEDED",
                        "refine/draft#2=SUCCEEDED",
                        "refine/critique#3=SUCCEEDED",
                        "refine/draft#3=SUCCEEDED");
        List<Map<String, Object>> iterations = baton.query(
                "SELECT detail FROM ticket_history WHERE run_id = ? " + "AND status = 'ITERATION' ORDER BY seq", id);
        assertThat(iterations)
                .extracting(r -> r.get("detail"))
                .containsExactly("iteration 1 of at most 5", "iteration 2 of at most 5", "iteration 3 of at most 5");
    }

    @Test
    void reachingMaxIterationsFailsTheStage() throws Exception {
        JsonNode run = baton.awaitRun(baton.startRun("loop-max", "{}"), Duration.ofSeconds(30));
        assertThat(run.path("status").asText()).isEqualTo("FAILED");
        assertThat(run.path("error").asText())
                .isEqualTo("stage 'spin' failed: reached maxIterations 2 and until 'false' is still false");
    }

    @Test
    void onMaxIterationsContinueCompletesTheStage() throws Exception {
        JsonNode run = baton.awaitRun(baton.startRun("loop-continue", "{}"), Duration.ofSeconds(30));
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(stage(run, "spin").path("output").path("iterations").asInt()).isEqualTo(2);
        assertThat(stage(run, "after").path("status").asText()).isEqualTo("SUCCEEDED");
    }
}
