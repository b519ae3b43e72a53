package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import dev.baton.compile.Endpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Edits of config/agents.yaml apply without a restart: changed in-process agents restart with their new settings,
 * new agents make waiting pipelines valid, a new maxConcurrency reaches the broker, removed agents stop, and an edit
 * that does not load keeps the registry before it and says why, with line and column.
 */
class RegistryReloadTest {
    static final String USES_WORKER = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: uses-worker}
            spec:
              pipeline:
                stages:
                  - {name: work, agent: worker, output: "$.out"}
            """;
    static final String USES_NEWBIE = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: uses-newbie}
            spec:
              pipeline:
                stages:
                  - {name: work, agent: newbie, output: "$.out"}
            """;

    @TempDir
    Path root;

    @Test
    void editsOfTheRegistryApplyWithoutARestartAndABrokenEditKeepsThePreviousOne() throws Exception {
        try (TestBaton baton =
                TestBaton.start(root, """
                agents:
                  worker: {kind: demo, output: {v: 1}, maxConcurrency: 2}
                """, Map.of("worker.yaml", USES_WORKER, "newbie.yaml", USES_NEWBIE))) {
            Path file = root.resolve("config/agents.yaml");
            assertThat(output(baton, "uses-worker")).isEqualTo(1);
            assertThat(maxConsumers(baton, "worker")).isEqualTo(2);
            assertThat(baton.get("/api/pipelines").body().path("invalid").toString())
                    .contains("agent 'newbie' is " + "not declared");

            // A change, an addition and a new limit: in force within a scan, no restart.
            Files.writeString(file, """
                    agents:
                      worker: {kind: demo, output: {v: 2}, maxConcurrency: 5}
                      newbie: {kind: demo, output: {v: 3}}
                    """);
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            baton.get("/api/pipelines").body().path("invalid").isEmpty());
            assertThat(output(baton, "uses-worker"))
                    .as("the demo agent restarted with its new output")
                    .isEqualTo(2);
            assertThat(output(baton, "uses-newbie")).isEqualTo(3);
            assertThat(maxConsumers(baton, "worker")).isEqualTo(5);
            JsonNode registry = baton.get("/api/agents/registry").body();
            assertThat(registry.path("valid").asBoolean()).isTrue();
            assertThat(registry.path("agents")).extracting(JsonNode::asText).containsExactly("worker", "newbie");

            // A broken edit: said with its place, and the registry before it stays in force.
            Files.writeString(file, """
                    agents:
                      worker: {kind: demo, output: {v: 4}, delay: soon}
                      newbie: {kind: demo, output: {v: 3}}
                    """);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !baton.get("/api/agents/registry")
                            .body()
                            .path("valid")
                            .asBoolean());
            assertThat(baton.get("/api/agents/registry").body().path("errors"))
                    .extracting(JsonNode::asText)
                    .containsExactly(file + ":2:47 agent 'worker': delay: 'soon' is not a duration; use e.g. 200ms, "
                            + "30s, 5m, 1h, 2d, 1m30s or PT5M");
            assertThat(output(baton, "uses-worker"))
                    .as("still the last good registry")
                    .isEqualTo(2);

            // Removing an agent stops it here; a pipeline that names it no longer validates and keeps its
            // previous version serving, as after any broken edit of the pipeline itself.
            Files.writeString(file, """
                    agents:
                      worker: {kind: demo, output: {v: 5}}
                    """);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> baton.get("/api/pipelines")
                            .body()
                            .path("invalid")
                            .toString()
                            .contains("agent 'newbie' is not declared"));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> baton.server.camel().getRoute(Endpoints.demoAgentRoute("newbie")) == null);
            assertThat(baton.get("/api/agents/registry").body().path("valid").asBoolean())
                    .isTrue();
            assertThat(output(baton, "uses-worker")).isEqualTo(5);
            assertThat(baton.get("/api/pipelines/uses-newbie").status())
                    .as("the previous version serves")
                    .isEqualTo(200);
        }
    }

    static String declaring(int v) {
        return """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: declares}
                spec:
                  agents:
                    own: {kind: demo, output: {v: %d}}
                  pipeline:
                    stages:
                      - {name: work, agent: own, output: "$.out"}
                """.formatted(v);
    }

    @Test
    void anEditOfThePipelinesOwnAgentDeclarationServesItsNewRuns() throws Exception {
        try (TestBaton baton = TestBaton.start(root, "agents: {}\n", Map.of("declares.yaml", declaring(1)))) {
            assertThat(output(baton, "declares")).isEqualTo(1);
            String first =
                    baton.get("/api/pipelines/declares").body().path("revision").asText();
            Path tmp = root.resolve("declares.tmp");
            Files.writeString(tmp, declaring(7));
            Files.move(
                    tmp,
                    root.resolve("routes/declares.yaml"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !first.equals(baton.get("/api/pipelines/declares")
                            .body()
                            .path("revision")
                            .asText()));
            assertThat(output(baton, "declares"))
                    .as("the agent restarted as the new revision declares it")
                    .isEqualTo(7);
        }
    }

    private static int output(TestBaton baton, String pipeline) throws Exception {
        JsonNode run = baton.awaitRun(baton.startRun(pipeline, "{}"), Duration.ofSeconds(30));
        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
        return run.at("/context/out/v").asInt();
    }

    private static int maxConsumers(TestBaton baton, String agent) {
        return baton.server
                .broker()
                .server()
                .locateQueue(SimpleString.of(Endpoints.agentQueue(agent)))
                .getMaxConsumers();
    }
}
