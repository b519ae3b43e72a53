package dev.baton.runtime;

import static dev.baton.agent.FakeService.chatCompletion;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import dev.baton.agent.FakeService;
import dev.baton.api.ObservabilityTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cases of {@code spec.budget}, run on H2 ({@link BudgetTest}) and PostgreSQL ({@link BudgetOnPostgresqlTest}),
 * against llm agents talking to a local OpenAI-compatible server that reports usage: tokens are
 * summed per ticket, stage, run and pipeline, and the reply that takes a run past its budget fails it in its own
 * transaction — nothing more is dispatched, and what completed is compensated.
 */
abstract class BudgetCases {
    static final Duration RUN = Duration.ofSeconds(60);

    @TempDir
    static Path root;

    static FakeService llm;
    static TestBaton baton;

    /** Starts the fake model server and Baton on whatever database the {@code baton.db.*} properties name. */
    static void launch() throws Exception {
        // every call: 30 prompt + 8 completion = 38 tokens
        llm = FakeService.start().path("/v1/chat/completions", (n, r) -> chatCompletion("{\"ok\": true}", 30, 8));
        String model = "{kind: llm, model: %s, apiKeyEnv: LLM_KEY, baseUrl: \"" + llm.url("/v1") + "\"}";
        String agents = """
                prices:
                  priced-model: {inputPerMillion: 1000, outputPerMillion: 5000}
                agents:
                  writer: %s
                  pricey: %s
                  undo: {kind: demo, output: {undone: true}}
                """.formatted(model.formatted("cheap-model"), model.formatted("priced-model"));
        String stages = """
                  pipeline:
                    stages:
                      - {name: one, agent: %1$s, compensate: {agent: undo}}
                      - {name: two, agent: %1$s, dependsOn: [one]}
                      - {name: three, agent: %1$s, dependsOn: [two]}
                """;
        baton = TestBaton.start(
                root,
                agents,
                Map.of(
                        "tokens.yaml", pipeline("tokens", "budget: {tokens: 50}") + stages.formatted("writer"),
                        "roomy.yaml", pipeline("roomy", "budget: {tokens: 1000}") + stages.formatted("writer"),
                        "dollars.yaml", pipeline("dollars", "budget: {costUsd: 0.1}") + stages.formatted("pricey"),
                        "unpriced.yaml", pipeline("unpriced", "budget: {costUsd: 5}") + stages.formatted("writer"),
                        // 3 calls of $0.07: 0.07 + 0.07 + 0.07 is 0.21000000000000002 in doubles, and spends exactly
                        // $0.21
                        "exact.yaml", pipeline("exact", "budget: {costUsd: 0.21}") + stages.formatted("pricey"),
                        // an llm agent only this pipeline declares is priced by its model too
                        "declared.yaml",
                                pipeline(
                                                "declared",
                                                "budget: {costUsd: 5}\n  agents:\n    own-llm: "
                                                        + model.formatted("priced-model"))
                                        + stages.formatted("own-llm")),
                Map.of("LLM_KEY", "sk-budget-test-key")::get);
    }

    static String pipeline(String name, String budget) {
        return """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: %s}
                spec:
                  %s
                """.formatted(name, budget);
    }

    static void stop() throws Exception {
        if (baton != null) baton.close();
        if (llm != null) llm.close();
    }

    static JsonNode run(String pipeline) throws Exception {
        String id = baton.startRun(pipeline, "{}");
        baton.awaitRun(id, RUN);
        return baton.get("/api/runs/" + id).body();
    }

    static JsonNode stage(JsonNode run, String name) {
        for (JsonNode s : run.path("stages")) {
            if (s.path("name").asText().equals(name)) return s;
        }
        throw new AssertionError("no stage " + name + " in " + run);
    }

    @Test
    void theReplyThatCrossesTheTokenBudgetFailsTheRunAndNothingMoreIsDispatched() throws Exception {
        JsonNode run = run("tokens");

        // 38 tokens after stage one, 76 after stage two: past 50, so stage three never gets a ticket
        assertThat(run.path("status").asText()).isEqualTo("COMPENSATED");
        assertThat(run.path("error").asText())
                .isEqualTo("token budget exceeded: the run used 76 tokens, more than "
                        + "spec.budget.tokens 50 (the last reply: stage 'two', agent 'writer', 38 tokens)");
        assertThat(run.path("usage").path("tokens").asLong()).isEqualTo(76);
        assertThat(run.path("usage").path("costUsd").isNull()).isTrue();
        assertThat(run.path("budget").path("tokens").asLong()).isEqualTo(50);
        assertThat(stage(run, "one").path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(stage(run, "one").path("usage").path("totalTokens").asLong()).isEqualTo(38);
        // the reply that crossed is kept on its ticket, but its stage went no further
        JsonNode two = stage(run, "two");
        assertThat(two.path("status").asText()).isEqualTo("CANCELLED");
        assertThat(two.path("tickets").get(0).path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(two.path("usage").path("promptTokens").asLong()).isEqualTo(30);
        assertThat(stage(run, "three").path("tickets")).isEmpty();
        // compensation as on any failure: stage one's undo ran
        assertThat(stage(run, "one").path("tickets").findValuesAsText("purpose"))
                .contains("compensate");
        String id = run.path("id").asText();
        assertThat(baton.query(
                        "SELECT status, detail FROM ticket_history WHERE run_id = ? AND status = ?",
                        id,
                        "BUDGET_EXCEEDED"))
                .singleElement()
                .satisfies(r -> assertThat((String) r.get("detail")).startsWith("token budget exceeded"));
        // the history shows no ticket of stage three and nothing queued after the budget was crossed
        List<Map<String, Object>> rows =
                baton.query("SELECT seq, status FROM ticket_history WHERE run_id = ? AND " + "stage = 'three'", id);
        assertThat(rows).isEmpty();
    }

    @Test
    void aRunWithinItsBudgetSucceedsAndThePipelineSumsItsRuns() throws Exception {
        JsonNode first = run("roomy");
        JsonNode second = run("roomy");

        assertThat(first.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(first.path("usage").path("tokens").asLong()).isEqualTo(3 * 38);
        assertThat(second.path("usage").path("tokens").asLong()).isEqualTo(3 * 38);
        JsonNode pipeline = baton.get("/api/pipelines/roomy").body();
        assertThat(pipeline.path("usage").path("runs").asLong()).isEqualTo(2);
        assertThat(pipeline.path("usage").path("tokens").asLong()).isEqualTo(6 * 38);
        assertThat(pipeline.path("budget").path("tokens").asLong()).isEqualTo(1000);
        JsonNode listed = baton.get("/api/pipelines").body().path("pipelines");
        JsonNode roomy = null;
        for (JsonNode p : listed) if (p.path("name").asText().equals("roomy")) roomy = p;
        assertThat(roomy.path("usage").path("tokens").asLong()).isEqualTo(6 * 38);
    }

    @Test
    void aCostBudgetPricesTokensByTheRegistrysTableAndStopsTheRun() throws Exception {
        JsonNode run = run("dollars");

        // one reply: 30 * $1000/M + 8 * $5000/M = $0.07; two: $0.14 > $0.10
        assertThat(run.path("status").asText()).isEqualTo("COMPENSATED");
        assertThat(run.path("error").asText())
                .isEqualTo("cost budget exceeded: the run's tokens cost $0.14, more "
                        + "than spec.budget.costUsd $0.1 (the last reply: stage 'two', agent 'pricey', 38 tokens)");
        assertThat(run.path("usage").path("costUsd").asDouble())
                .isCloseTo(0.14, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(stage(run, "one").path("usage").path("costUsd").asDouble())
                .isCloseTo(0.07, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(stage(run, "three").path("tickets")).isEmpty();
        // the CLI's status view shows the spending against the budget, and each stage's tokens
        var status = dev.baton.cli.CliTest.run(
                "status", run.path("id").asText(), "--server", "http://127.0.0.1:" + baton.port);
        assertThat(status.out().lines()).contains("  tokens 76  cost $0.14 of $0.1 (budget)");
        assertThat(status.out().lines())
                .anySatisfy(l -> assertThat(l).startsWith("  one ").contains("attempts 1  tokens 38 "));
        String metrics = baton.getText("/api/metrics");
        assertThat(ObservabilityTest.sample(
                                metrics,
                                "baton_cost_usd_total",
                                "agent",
                                "pricey",
                                "pipeline",
                                "dollars",
                                "stage",
                                "one")
                        .orElseThrow())
                .isCloseTo(0.07, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(ObservabilityTest.sample(
                        metrics,
                        "baton_tokens_total",
                        "agent",
                        "pricey",
                        "pipeline",
                        "dollars",
                        "stage",
                        "two",
                        "type",
                        "prompt"))
                .hasValue(30.0);
    }

    @Test
    void aRunThatSpendsExactlyItsCostBudgetSucceeds() throws Exception {
        JsonNode run = run("exact");

        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
        assertThat(run.path("usage").path("costUsd").asDouble())
                .isCloseTo(0.21, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void anLlmAgentDeclaredOnlyInThePipelineIsPricedByItsModel() throws Exception {
        JsonNode run = run("declared");

        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
        assertThat(run.path("usage").path("costUsd").asDouble())
                .isCloseTo(0.21, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void aCostBudgetWithTokensNobodyPricedFailsLoudlyRatherThanCountingThemAsFree() throws Exception {
        JsonNode run = run("unpriced");

        assertThat(run.path("status").asText()).isEqualTo("FAILED");
        assertThat(run.path("error").asText())
                .isEqualTo("cost budget cannot be kept: agent 'writer' reported 38 "
                        + "tokens, but config/agents.yaml prices lists neither its model nor the agent");
        assertThat(stage(run, "two").path("tickets")).isEmpty();
    }
}
