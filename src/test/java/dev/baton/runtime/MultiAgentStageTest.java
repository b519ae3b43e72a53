package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.ScriptedAgent;
import dev.baton.TestBaton;
import dev.baton.pipeline.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Multi-agent stages on the real broker and H2: each aggregate strategy, early completion, ballots, ties. */
class MultiAgentStageTest {
    @TempDir
    static Path root;

    static TestBaton baton;

    static final String AGENTS = """
            agents:
              yes-a: {kind: demo, output: {verdict: approve, notes: {a: 1}}}
              yes-b: {kind: demo, output: {verdict: approve, notes: {b: 2}}, delay: 300ms}
              no-c: {kind: demo, output: {verdict: reject, notes: {c: 3}}}
              silent: {kind: external}
              broken: {kind: demo, fail: true}
              text: {kind: demo, output: "plain"}
            """;

    static String pipeline(String name, String agents, String strategy, String extra) {
        return """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: %s}
                spec:
                  pipeline:
                    stages:
                      - name: review
                        agents: [%s]
                        aggregateStrategy: %s
                        output: "$.review"
                        %s
                      - {name: after, dependsOn: [review], agent: yes-a, input: "$.review"}
                """.formatted(name, agents, strategy, extra);
    }

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(
                root,
                AGENTS,
                Map.of(
                        "all.yaml", pipeline("all", "yes-a, no-c", "all", ""),
                        "all-fail.yaml", pipeline("all-fail", "yes-a, broken", "all", ""),
                        "any.yaml", pipeline("any", "broken, yes-b", "any", ""),
                        "first.yaml", pipeline("first", "yes-b, no-c", "first", ""),
                        "merge.yaml", pipeline("merge", "yes-a, yes-b, no-c", "merge", ""),
                        "merge-text.yaml", pipeline("merge-text", "yes-a, text", "merge", ""),
                        "vote.yaml", pipeline("vote", "yes-a, yes-b, no-c", "vote", "voteOn: \"$.verdict\""),
                        "tie.yaml", pipeline("tie", "yes-a, no-c", "vote", "voteOn: \"$.verdict\""),
                        "quorum.yaml", pipeline("quorum", "yes-a, yes-b, silent", "quorum", "voteOn: \"$.verdict\"")));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    private static JsonNode run(String pipeline) throws Exception {
        return baton.awaitRun(baton.startRun(pipeline, "{}"), Duration.ofSeconds(30));
    }

    private static JsonNode stage(JsonNode run, String name) {
        for (JsonNode s : run.path("stages")) {
            if (s.path("name").asText().equals(name)) return s;
        }
        throw new AssertionError("no stage " + name + " in " + run);
    }

    @Test
    void allCollectsEveryOutputInAgentOrder() throws Exception {
        JsonNode run = run("all");
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        JsonNode out = stage(run, "review").path("output");
        assertThat(out.size()).isEqualTo(2);
        assertThat(out.get(0).path("verdict").asText()).isEqualTo("approve");
        assertThat(out.get(1).path("verdict").asText()).isEqualTo("reject");
        assertThat(stage(run, "review").path("tickets"))
                .extracting(t -> t.path("agent").asText())
                .containsExactly("yes-a", "no-c");
    }

    @Test
    void allFailsWhenOneAgentFails() throws Exception {
        JsonNode run = run("all-fail");
        assertThat(run.path("status").asText()).isEqualTo("FAILED");
        assertThat(run.path("error").asText()).isEqualTo("stage 'review' failed: broken: agent broken always fails");
        assertThat(stage(run, "after").path("status").asText()).isEqualTo("CANCELLED");
    }

    @Test
    void anySucceedsWithTheFirstSuccessDespiteAFailure() throws Exception {
        JsonNode run = run("any");
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(stage(run, "review").path("output").path("verdict").asText()).isEqualTo("approve");
    }

    @Test
    void firstTakesTheFirstReplyAndCancelsTheOther() throws Exception {
        JsonNode run = run("first");
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        JsonNode review = stage(run, "review");
        assertThat(review.path("output").path("verdict").asText()).isEqualTo("reject");
        assertThat(review.path("tickets"))
                .extracting(
                        t -> t.path("agent").asText() + "=" + t.path("status").asText())
                .containsExactly("yes-b=CANCELLED", "no-c=SUCCEEDED");
    }

    @Test
    void mergeDeepMergesObjectOutputsInAgentOrder() throws Exception {
        JsonNode run = run("merge");
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        JsonNode out = stage(run, "review").path("output");
        assertThat(out.path("verdict").asText()).isEqualTo("reject"); // the last agent's scalar wins
        assertThat(out.path("notes")).isEqualTo(Json.parse("{\"a\":1,\"b\":2,\"c\":3}"));
    }

    @Test
    void mergeOfATextOutputFailsNamingTheAgent() throws Exception {
        JsonNode run = run("merge-text");
        assertThat(run.path("status").asText()).isEqualTo("FAILED");
        assertThat(run.path("error").asText())
                .isEqualTo("stage 'review' failed: merge needs object outputs; text returned string");
    }

    @Test
    void voteTakesThePluralityAndKeepsEveryBallotInTheHistory() throws Exception {
        JsonNode run = run("vote");
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        JsonNode out = stage(run, "review").path("output");
        assertThat(out.path("decision").asText()).isEqualTo("approve");
        assertThat(out.path("tally")).isEqualTo(Json.parse("{\"approve\":2,\"reject\":1}"));
        assertThat(out.path("ballots")).hasSize(3);
        assertThat(run.path("context").path("review").path("decision").asText()).isEqualTo("approve");

        List<String> ballots = new ArrayList<>();
        baton.get("/api/runs/" + run.path("id").asText() + "/history").body().forEach(h -> {
            if (h.path("status").asText().equals("SUCCEEDED")
                    && h.path("stage").asText().equals("review")) {
                ballots.add(h.path("agent").asText() + " " + h.path("detail").asText());
            }
        });
        assertThat(ballots)
                .containsExactlyInAnyOrder(
                        "yes-a ballot \"approve\"", "yes-b ballot \"approve\"", "no-c ballot \"reject\"");
    }

    @Test
    void aVoteTieFailsTheStageNamingTheTiedBallots() throws Exception {
        JsonNode run = run("tie");
        assertThat(run.path("status").asText()).isEqualTo("FAILED");
        assertThat(run.path("error").asText())
                .isEqualTo("stage 'review' failed: vote tied at 1 between \"approve\" (yes-a) and \"reject\" (no-c)");
    }

    @Test
    void quorumCompletesBeforeTheSlowestAgentRepliesAndTheAgentIsToldToStop() throws Exception {
        try (ScriptedAgent silent = ScriptedAgent.start(baton, "silent", ticket -> null)) {
            JsonNode run = run("quorum");
            assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
            JsonNode review = stage(run, "review");
            assertThat(review.path("output").path("decision").asText()).isEqualTo("approve");
            assertThat(review.path("output").path("tally")).isEqualTo(Json.parse("{\"approve\":2}"));
            assertThat(review.path("tickets"))
                    .extracting(t ->
                            t.path("agent").asText() + "=" + t.path("status").asText())
                    .containsExactly("yes-a=SUCCEEDED", "yes-b=SUCCEEDED", "silent=CANCELLED");
            // the silent agent got its ticket, never answered, and was sent a cancel for it
            String ticketId = review.path("tickets").get(2).path("id").asText();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> silent.controls.stream()
                            .anyMatch(c -> c.path("type").asText().equals("cancel")
                                    && c.path("ticketId").asText().equals(ticketId)));
            assertThat(silent.tickets)
                    .extracting(t -> t.path("ticketId").asText())
                    .contains(ticketId);
        }
    }
}
