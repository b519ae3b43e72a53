package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A webhook delivery waiting for its next attempt outlives the process: the attempt is a persistent message. */
class WebhookRestartTest {
    @TempDir
    Path root;

    @Test
    void anAttemptScheduledBeforeAStopIsMadeAfterTheRestart() throws Exception {
        try (WebhookServer hooks = WebhookServer.start().path("/hook", n -> n == 1 ? 500 : 200)) {
            Files.createDirectories(root.resolve("config"));
            Files.writeString(root.resolve("config/application.properties"), """
                    baton.webhooks.max-attempts = 3
                    baton.webhooks.initial-delay = 5s
                    """);
            String id;
            Instant stopped;
            try (TestBaton first = TestBaton.start(
                    root, "default: {kind: demo}\n", Map.of("hooked.yaml", """
                    apiVersion: baton/v1
                    kind: Pipeline
                    metadata: {name: hooked}
                    spec:
                      notify: {webhook: "%s", on: [succeeded]}
                      pipeline:
                        stages:
                          - {name: only, agent: worker}
                    """.formatted(hooks.url("/hook"))))) {
                id = first.startRun("hooked", "{}");
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> hooks.requests("/hook").size() == 1
                                && first.get("/api/runs/" + id + "/webhooks")
                                                .body()
                                                .at("/0/attempts")
                                                .asInt()
                                        == 1);
                stopped = Instant.now();
            }
            assertThat(hooks.requests("/hook"))
                    .as("the second attempt waits for the back-off")
                    .hasSize(1);

            try (TestBaton second = TestBaton.restart(root)) {
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> second.get("/api/runs/" + id + "/webhooks")
                                .body()
                                .at("/0/status")
                                .asText()
                                .equals("DELIVERED"));
                JsonNode delivery =
                        second.get("/api/runs/" + id + "/webhooks").body().get(0);
                assertThat(delivery.path("log"))
                        .map(a -> a.path("statusCode").asInt())
                        .containsExactly(500, 200);
                assertThat(hooks.requests("/hook")).hasSize(2);
                assertThat(hooks.requests("/hook").get(1).at()).isAfter(stopped);
            }
        }
    }
}
