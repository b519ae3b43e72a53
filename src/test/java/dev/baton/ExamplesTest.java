package dev.baton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every example in routes/ loads, and runs to SUCCEEDED on config/ with the outputs its comments promise. */
class ExamplesTest {
    @TempDir
    static Path root;

    static TestBaton baton;

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.startOn(Path.of("routes"), Path.of("config"), root);
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    @Test
    void everyPipelineFileInRoutesLoads() throws Exception {
        JsonNode body = baton.get("/api/pipelines").body();
        assertThat(body.path("invalid"))
                .as("invalid files: " + body.path("invalid"))
                .isEmpty();
        long files;
        try (Stream<Path> s = Files.list(Path.of("routes"))) {
            files = s.filter(p -> p.toString().endsWith(".yaml"))
                    .filter(p -> read(p).contains("kind: Pipeline"))
                    .count();
        }
        assertThat(body.path("pipelines").size()).isEqualTo((int) files).isGreaterThanOrEqualTo(2);
    }

    @Test
    void everyExampleRunsToSucceededWithTheParamsTheDemoUses() throws Exception {
        for (var p : baton.server.pipelines().all()) {
            String params = dev.baton.pipeline.Json.write(dev.baton.cli.DemoCommand.demoParams(p));
            String id = baton.startRun(p.name(), params);
            // approval stages are approved as the demo does it
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> TestBaton.TERMINAL.contains(dev.baton.cli.DemoCommand.approveWaiting(
                                    baton.server.runs(), baton.server.runs().get(id))
                            .path("status")
                            .asText()));
            JsonNode run = baton.awaitRun(id, Duration.ofSeconds(30));
            assertThat(run.path("status").asText()).as(p.name() + ": " + run).isEqualTo("SUCCEEDED");
            // every stage succeeded, except one whose condition was false (that is SKIPPED, and says so)
            assertThat(run.path("stages")).as(p.name()).allSatisfy(s -> {
                if (s.path("status").asText().equals("SKIPPED")) {
                    assertThat(s.path("error").asText()).startsWith("condition is false: ");
                } else {
                    assertThat(s.path("status").asText()).isEqualTo("SUCCEEDED");
                }
            });
        }
    }

    @Test
    void contentReviewResearchesInParallelJoinsAndPublishes() throws Exception {
        JsonNode run = baton.awaitRun(
                baton.startRun("content-review", "{\"topic\": \"durable agents\"}"), Duration.ofSeconds(30));
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.at("/context/research/topic").asText()).isEqualTo("durable agents");
        assertThat(run.at("/context/outline/basedOn").asText()).isEqualTo("durable agents");
        assertThat(run.at("/context/facts/verdict").asText()).isEqualTo("ok");
        assertThat(run.at("/context/draft/title").asText()).isEqualTo("On durable agents");
        assertThat(run.at("/context/draft/sections/2").asText()).isEqualTo("proof");
        assertThat(run.at("/context/published/published").asBoolean()).isTrue();
        assertThat(run.at("/context/published/article/title").asText()).isEqualTo("On durable agents");
    }

    @Test
    void retryDemoSucceedsOnTheThirdAttempt() throws Exception {
        JsonNode run = baton.awaitRun(baton.startRun("retry-demo", "{}"), Duration.ofSeconds(30));
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.at("/stages/0/attempts").asInt()).isEqualTo(3);
        assertThat(run.at("/context/result/ok").asBoolean()).isTrue();
    }

    @Test
    void camelAgentGreetsWithALanguageEndpointThenMakesACardWithADirectRoute() throws Exception {
        JsonNode run = baton.awaitRun(baton.startRun("camel-agent", "{\"name\": \"Ada\"}"), Duration.ofSeconds(30));
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.at("/context/greeting").asText()).isEqualTo("Hello, Ada!");
        assertThat(run.at("/context/card/front").asText()).isEqualTo("Hello, Ada!");
        assertThat(run.at("/context/card/back").asText()).isEqualTo("made by a Camel route, attempt 1");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
