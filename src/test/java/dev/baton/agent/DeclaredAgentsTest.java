package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.LogCapture;
import dev.baton.TestBaton;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No agent is made up: a pipeline may declare its agents' kind and options in spec.agents (config/agents.yaml wins),
 * an agent declared nowhere makes its pipeline invalid, and a registry {@code default} says loudly what it invents.
 */
class DeclaredAgentsTest {
    static final String PIPELINE = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: declared}
            spec:
              params:
                who: {required: true}
              agents:
                greeter: {kind: demo, output: {hello: "{{ input }}"}, concurrency: 1}
                checker: {kind: demo, output: {checked: true}}
              pipeline:
                stages:
                  - {name: greet, agent: greeter, input: "$.params", output: "$.greeting"}
                  - {name: check, dependsOn: [greet], agent: checker, output: "$.check"}
            """;

    static final String UNDECLARED = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: undeclared}
            spec:
              pipeline:
                stages:
                  - {name: a, agent: ghost}
                  - {name: b, agentSelector: {capabilities: [nothing]}}
            """;

    @TempDir
    Path root;

    @Test
    void aKindDeclaredInThePipelineRunsAndTheRegistryWinsWhereItListsTheAgent() throws Exception {
        try (TestBaton baton =
                TestBaton.start(root, """
                agents:
                  checker: {kind: demo, output: {checked: "by the registry"}}
                """, Map.of("declared.yaml", PIPELINE, "undeclared.yaml", UNDECLARED))) {
            JsonNode run = baton.awaitRun(
                    baton.startRun("declared", "{\"params\": {\"who\": \"ada\"}}"), Duration.ofSeconds(30));
            assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
            assertThat(run.at("/context/greeting/hello/who").asText())
                    .as("the pipeline's demo output")
                    .isEqualTo("ada");
            assertThat(run.at("/context/check/checked").asText())
                    .as("config/agents.yaml wins")
                    .isEqualTo("by the registry");

            JsonNode pipelines = baton.get("/api/pipelines").body();
            assertThat(pipelines.toString()).doesNotContain("\"name\":\"undeclared\"");
            JsonNode invalid = pipelines.path("invalid").get(0);
            assertThat(invalid.path("errors"))
                    .extracting(JsonNode::asText)
                    .containsExactly(
                            invalid.path("file").asText()
                                    + ":7:26 stage 'a': agent 'ghost' is not declared in spec.agents "
                                    + "or config/agents.yaml",
                            invalid.path("file").asText() + ":8:34 stage 'b': agentSelector {capabilities: [nothing]} "
                                    + "matches no agent of spec.agents or config/agents.yaml; none declares a role or "
                                    + "capabilities");

            JsonNode agents = baton.get("/api/agents").body();
            assertThat(kind(agents, "greeter")).as("the kind as it runs").isEqualTo("demo");
            assertThat(kind(agents, "ghost")).as("its pipeline did not load").isEqualTo("absent");
        }
    }

    @Test
    void aBadKindOptionInSpecAgentsIsAValidationErrorWithItsPlace() throws Exception {
        try (TestBaton baton = TestBaton.start(root, "agents: {}\n", Map.of())) {
            TestBaton.Response r = baton.post("/api/pipelines/validate", """
                    apiVersion: baton/v1
                    kind: Pipeline
                    metadata: {name: bad}
                    spec:
                      agents:
                        a: {kind: demo, delay: soon, colour: red}
                        b: {kind: llm, baseUrl: "http://127.0.0.1:1/v1"}
                        c: {kind: robot}
                      pipeline:
                        stages:
                          - {name: s, agent: a}
                    """, "Content-Type", "application/yaml");
            assertThat(r.status()).isEqualTo(422);
            assertThat(r.body().path("errors"))
                    .extracting(JsonNode::asText)
                    .containsExactly(
                            "request:6:28 agent 'a': delay: 'soon' is not a duration; use e.g. 200ms, 30s, 5m, 1h, 2d, 1m30s "
                                    + "or PT5M",
                            "request:6:34 agent 'a': option 'colour' is unknown for kind demo; use one of concurrency, delay, "
                                    + "fail, failFirstAttempts, output",
                            "request:7:5 agent 'b': model is required for kind llm",
                            "request:8:15 agent 'c': kind 'robot' is unknown; use one of external, demo, llm, http, camel, mcp");
        }
    }

    @Test
    void aRegistryDefaultIsAWarningThatNamesEveryAgentItMakesUp() throws Exception {
        try (LogCapture server = new LogCapture("dev.baton.BatonServer", Level.WARN, "%p %m%n");
                LogCapture agents = new LogCapture("dev.baton.agent", Level.WARN, "%p %m%n");
                TestBaton baton = TestBaton.start(
                        root,
                        "default: {kind: demo}\n",
                        Map.of(
                                "undeclared.yaml",
                                UNDECLARED.replace("agentSelector: {capabilities: [nothing]}", "agent: spectre"),
                                "declared.yaml",
                                PIPELINE))) {
            assertThat(server.text())
                    .contains("WARN " + root.resolve("config/agents.yaml")
                            + " has a `default` of kind demo: every agent a pipeline names that is declared nowhere else runs "
                            + "as such an agent");
            assertThat(agents.text())
                    .contains("WARN pipeline 'undeclared': agent(s) [ghost, spectre] are declared "
                            + "neither in config/agents.yaml nor with a kind in spec.agents, so the registry's `default` makes "
                            + "them demo agents")
                    .doesNotContain("greeter")
                    .doesNotContain("checker");
            JsonNode run = baton.awaitRun(baton.startRun("undeclared", "{}"), Duration.ofSeconds(30));
            assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        }
    }

    private static String kind(JsonNode agents, String name) {
        for (JsonNode a : agents) {
            if (a.path("name").asText().equals(name))
                return a.path("kind").isNull() ? null : a.path("kind").asText();
        }
        return "absent";
    }
}
