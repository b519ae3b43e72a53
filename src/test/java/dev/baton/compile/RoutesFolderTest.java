package dev.baton.compile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hot reload of routes/: new, edited, broken and deleted pipeline files, and plain Camel YAML routes. */
class RoutesFolderTest {
    @TempDir
    static Path root;

    static TestBaton baton;

    static String pipeline(String name, String agent) {
        return """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: %s}
                spec:
                  pipeline:
                    stages:
                      - {name: work, agent: %s, output: "$.out"}
                """.formatted(name, agent);
    }

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(root, """
                default: {kind: demo}
                agents:
                  one: {kind: demo, output: 1}
                  two: {kind: demo, output: 2}
                  slow: {kind: demo, delay: 1500ms, output: slow}
                """, Map.of("stable.yaml", pipeline("stable", "one")));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    @Test
    void aNewFileGoesLiveAnEditReplacesItABrokenEditKeepsTheOldOneAndADeleteUnloadsIt() throws Exception {
        Path file = root.resolve("routes/hot.yaml");
        Files.writeString(file, pipeline("hot", "one"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> baton.get("/api/pipelines/hot").status() == 200);
        assertThat(output(baton.startRun("hot", "{}"))).isEqualTo(1);

        Files.writeString(file, pipeline("hot", "two"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> baton.get("/api/pipelines/hot")
                        .body()
                        .at("/stages/0/agent")
                        .asText()
                        .equals("two"));
        assertThat(output(baton.startRun("hot", "{}"))).isEqualTo(2);

        Files.writeString(file, pipeline("hot", "two").replace("output:", "outptu:"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> baton.get("/api/pipelines").body().path("invalid").size() == 1);
        JsonNode invalid = baton.get("/api/pipelines").body().path("invalid").get(0);
        assertThat(invalid.path("file").asText()).endsWith("hot.yaml");
        assertThat(invalid.at("/errors/0").asText()).contains("hot.yaml:7:").contains("unknown field 'outptu'");
        assertThat(output(baton.startRun("hot", "{}")))
                .as("the previous good version keeps serving")
                .isEqualTo(2);

        Files.delete(file);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> baton.get("/api/pipelines/hot").status() == 404);
        assertThat(baton.post("/api/pipelines/hot/runs", "{}").status()).isEqualTo(404);
        assertThat(baton.get("/api/pipelines").body().path("invalid")).isEmpty();
        assertThat(baton.get("/api/pipelines/stable").status()).isEqualTo(200);
    }

    @Test
    void aRunInFlightFinishesOnTheRevisionItStartedOnWhenTheFileIsEdited() throws Exception {
        Path file = root.resolve("routes/pinned.yaml");
        Files.writeString(file, pipeline("pinned", "slow"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> baton.get("/api/pipelines/pinned").status() == 200);
        String before =
                baton.get("/api/pipelines/pinned").body().path("revision").asText();
        String runId = baton.startRun("pinned", "{}");

        Files.writeString(file, pipeline("pinned", "slow") + "      - {name: extra, dependsOn: [work], agent: one}\n");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !baton.get("/api/pipelines/pinned")
                        .body()
                        .path("revision")
                        .asText()
                        .equals(before));

        JsonNode old = baton.awaitRun(runId, Duration.ofSeconds(20));
        assertThat(old.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(old.path("revision").asText()).isEqualTo(before);
        assertThat(old.path("stages")).hasSize(1);
        JsonNode next = baton.awaitRun(baton.startRun("pinned", "{}"), Duration.ofSeconds(20));
        assertThat(next.path("stages")).hasSize(2);
        assertThat(next.path("revision").asText()).isNotEqualTo(before);
    }

    @Test
    void theRevisionsOfAPipelineAreListedNewestFirstWithTheCurrentOneMarked() throws Exception {
        Path file = root.resolve("routes/revised.yaml");
        Files.writeString(file, pipeline("revised", "one"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> baton.get("/api/pipelines/revised").status() == 200);
        String first =
                baton.get("/api/pipelines/revised").body().path("revision").asText();
        JsonNode one = baton.get("/api/pipelines/revised/revisions").body();
        assertThat(one).hasSize(1);
        assertThat(one.at("/0/revision").asText()).isEqualTo(first);
        assertThat(one.at("/0/current").asBoolean()).isTrue();
        assertThat(one.at("/0/file").asText()).endsWith("revised.yaml");

        Files.writeString(file, pipeline("revised", "two"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !baton.get("/api/pipelines/revised")
                        .body()
                        .path("revision")
                        .asText()
                        .equals(first));
        String second =
                baton.get("/api/pipelines/revised").body().path("revision").asText();

        TestBaton.Response r = baton.get("/api/pipelines/revised/revisions");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).hasSize(2);
        assertThat(r.body().at("/0/revision").asText()).isEqualTo(second);
        assertThat(r.body().at("/0/current").asBoolean()).isTrue();
        assertThat(r.body().at("/1/revision").asText()).isEqualTo(first);
        assertThat(r.body().at("/1/current").asBoolean()).isFalse();
        assertThat(java.time.Instant.parse(r.body().at("/0/loadedAt").asText()))
                .isAfterOrEqualTo(
                        java.time.Instant.parse(r.body().at("/1/loadedAt").asText()));

        TestBaton.Response unknown = baton.get("/api/pipelines/no-such-pipeline/revisions");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
        assertThat(unknown.body().path("detail").asText()).contains("no-such-pipeline");
    }

    @Test
    void anIdempotentReplayIsJudgedByTheOriginalRequestEvenAfterTheFileChangedOrWentAway() throws Exception {
        Path file = root.resolve("routes/keyed.yaml");
        String v1 = pipeline("keyed", "one").replace("spec:\n", "spec:\n  params:\n    mode: {default: fast}\n");
        Files.writeString(file, v1);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> baton.get("/api/pipelines/keyed").status() == 200);
        TestBaton.Response first = baton.post("/api/pipelines/keyed/runs", "{}", "Idempotency-Key", "keyed-1");
        assertThat(first.status()).isEqualTo(201);

        Files.writeString(file, v1.replace("default: fast", "default: careful"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> baton.get("/api/pipelines/keyed")
                        .body()
                        .at("/params/mode/default")
                        .asText()
                        .equals("careful"));
        TestBaton.Response replay = baton.post("/api/pipelines/keyed/runs", "{}", "Idempotency-Key", "keyed-1");
        assertThat(replay.status()).isEqualTo(200);
        assertThat(replay.body().path("id").asText())
                .isEqualTo(first.body().path("id").asText());

        Files.delete(file);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> baton.get("/api/pipelines/keyed").status() == 404);
        TestBaton.Response gone = baton.post("/api/pipelines/keyed/runs", "{}", "Idempotency-Key", "keyed-1");
        assertThat(gone.status()).isEqualTo(200);
        assertThat(gone.body().path("id").asText())
                .isEqualTo(first.body().path("id").asText());
    }

    @Test
    void aRenamedPipelineFileStaysLive() throws Exception {
        Path a = root.resolve("routes/before-rename.yaml");
        Files.writeString(a, pipeline("renamed", "one"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> baton.get("/api/pipelines/renamed").status() == 200);
        Files.move(a, root.resolve("routes/after-rename.yaml"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> baton.get("/api/pipelines/renamed")
                        .body()
                        .path("file")
                        .asText()
                        .endsWith("after-rename.yaml"));
        assertThat(baton.get("/api/pipelines").body().path("invalid")).isEmpty();
        Files.delete(root.resolve("routes/after-rename.yaml"));
    }

    @Test
    void plainCamelYamlRoutesLoadAsCamelRoutesAndUnloadWhenDeleted() throws Exception {
        Path file = root.resolve("routes/plain-camel.yaml");
        Files.writeString(file, """
                - route:
                    id: plain-hello
                    from:
                      uri: timer:plain-hello?period=600000
                      steps:
                        - log: "hello from a plain Camel route"
                """);
        await().atMost(Duration.ofSeconds(10)).until(() -> baton.server.camel().getRoute("plain-hello") != null);
        assertThat(baton.get("/api/pipelines").body().path("pipelines").findValuesAsText("name"))
                .doesNotContain("plain-hello");

        Files.delete(file);
        await().atMost(Duration.ofSeconds(10)).until(() -> baton.server.camel().getRoute("plain-hello") == null);
    }

    private static int output(String runId) {
        JsonNode run = baton.awaitRun(runId, Duration.ofSeconds(20));
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        return run.at("/context/out").asInt();
    }
}
