package dev.baton.compile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import dev.baton.pipeline.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each pipeline compiles to a Camel entry route that plain Camel routes use to start runs. */
class PipelineCompilerTest {
    @TempDir
    static Path root;

    static TestBaton baton;

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(
                root,
                "default: {kind: demo}\n",
                Map.of(
                        "content-review.yaml", Files.readString(Path.of("routes/content-review.yaml")),
                        "file-trigger.yaml", Files.readString(Path.of("routes/file-trigger.yaml"))));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    @Test
    void aCamelRouteStartsARunThroughThePipelinesEntryRoute() {
        String run = baton.server
                .camel()
                .createProducerTemplate()
                .requestBodyAndHeader(
                        "direct:baton-start-content-review",
                        "{\"topic\": \"from camel\"}",
                        "Idempotency-Key",
                        "camel-1",
                        String.class);
        JsonNode started = Json.parse(run);
        assertThat(started.path("pipeline").asText()).isEqualTo("content-review");
        JsonNode done = baton.awaitRun(started.path("id").asText(), Duration.ofSeconds(30));
        assertThat(done.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(done.at("/params/topic").asText()).isEqualTo("from camel");

        String again = baton.server
                .camel()
                .createProducerTemplate()
                .requestBodyAndHeader(
                        "direct:baton-start-content-review",
                        "{\"topic\": \"from camel\"}",
                        "Idempotency-Key",
                        "camel-1",
                        String.class);
        assertThat(Json.parse(again).path("id").asText())
                .as("idempotent")
                .isEqualTo(started.path("id").asText());
    }

    @Test
    void theFileTriggerExampleStartsARunPerDroppedFile() throws Exception {
        Path inbox = root.resolve("data/inbox");
        Files.createDirectories(inbox);
        Files.writeString(inbox.resolve("queues.json"), "{\"topic\": \"dropped file\"}");

        await().atMost(Duration.ofSeconds(20))
                .until(() -> !runsWithTopic("dropped file").isEmpty());
        String id = runsWithTopic("dropped file").get(0);
        assertThat(baton.awaitRun(id, Duration.ofSeconds(30)).path("status").asText())
                .isEqualTo("SUCCEEDED");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(inbox.resolve(".done/queues.json")));
    }

    @Test
    void theEntryRouteFollowsTheFile() throws Exception {
        assertThat(baton.server.camel().getRoute("baton-start-content-review")).isNotNull();
        Path file = root.resolve("routes/content-review.yaml");
        String text = Files.readString(file);
        Files.delete(file);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> baton.server.camel().getRoute("baton-start-content-review") == null);
        Files.writeString(file, text);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> baton.server.camel().getRoute("baton-start-content-review") != null);
    }

    private static List<String> runsWithTopic(String topic) throws Exception {
        return baton.query("SELECT id FROM run WHERE params LIKE ?", "%" + topic + "%").stream()
                .map(r -> (String) r.get("id"))
                .toList();
    }
}
