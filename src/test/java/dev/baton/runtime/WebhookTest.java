package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import dev.baton.config.BatonSettings.WebhookSettings;
import dev.baton.pipeline.Backoff;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.RetryPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** spec.notify: run outcomes POSTed to a real local HTTP server, retried with back-off held by the broker. */
class WebhookTest {
    static final String SETTINGS = """
            baton.webhooks.max-attempts = 4
            baton.webhooks.initial-delay = 300ms
            baton.webhooks.max-delay = 5s
            baton.webhooks.timeout = 2s
            """;

    @TempDir
    static Path root;

    static WebhookServer hooks;
    static TestBaton baton;

    static String pipeline(String name, String agent, String notify) {
        return """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: %s}
                spec:
                  notify: %s
                  pipeline:
                    stages:
                      - {name: work, agent: %s, output: "$.work"}
                """.formatted(name, notify, agent);
    }

    @BeforeAll
    static void start() throws Exception {
        hooks = WebhookServer.start().path("/flaky", n -> n <= 2 ? 500 : 204).path("/down", n -> 503);
        Files.createDirectories(root.resolve("config"));
        Files.writeString(root.resolve("config/application.properties"), SETTINGS);
        String refused = "http://127.0.0.1:" + TestBaton.freePort() + "/hook";
        baton = TestBaton.start(
                root,
                """
                default: {kind: demo}
                agents:
                  broken: {kind: demo, fail: true}
                """,
                Map.of(
                        "flaky-hook.yaml",
                                pipeline(
                                        "flaky-hook",
                                        "worker",
                                        "{webhook: \"" + hooks.url("/flaky") + "\", on: [succeeded, failed]}"),
                        "down-hook.yaml", pipeline("down-hook", "worker", "{webhook: \"" + hooks.url("/down") + "\"}"),
                        "refused-hook.yaml",
                                pipeline("refused-hook", "broken", "{webhook: \"" + refused + "\", on: [failed]}")));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
        if (hooks != null) hooks.close();
    }

    @Test
    void aWebhookThatFailsTwiceGetsTheEventOnTheThirdTryAfterGrowingWaits() throws Exception {
        String runId = baton.startRun("flaky-hook", "{}");
        assertThat(baton.awaitRun(runId, Duration.ofSeconds(30)).path("status").asText())
                .isEqualTo("SUCCEEDED");
        JsonNode delivery = awaitDelivery(runId, "DELIVERED");

        assertThat(delivery.path("outcome").asText()).isEqualTo("succeeded");
        assertThat(delivery.path("url").asText()).isEqualTo(hooks.url("/flaky"));
        assertThat(delivery.path("attempts").asInt()).isEqualTo(3);
        assertThat(delivery.path("maxAttempts").asInt()).isEqualTo(4);
        JsonNode log = delivery.path("log");
        assertThat(log)
                .map(a -> a.path("attempt").asInt() + " " + a.path("statusCode").asInt() + " "
                        + a.path("error").asText("-"))
                .containsExactly("1 500 HTTP 500", "2 500 HTTP 500", "3 204 -");
        Duration firstWait = Duration.between(time(log.get(0), "finishedAt"), time(log.get(1), "startedAt"));
        Duration secondWait = Duration.between(time(log.get(1), "finishedAt"), time(log.get(2), "startedAt"));
        assertThat(firstWait)
                .as("held by the broker for the first back-off")
                .isGreaterThanOrEqualTo(Duration.ofMillis(290));
        assertThat(secondWait)
                .as("and for twice as long the second time")
                .isGreaterThanOrEqualTo(Duration.ofMillis(590));

        var requests = hooks.requests("/flaky");
        assertThat(requests).hasSize(3);
        assertThat(requests).map(WebhookServer.Request::attempt).containsExactly(1, 2, 3);
        JsonNode event = Json.parse(requests.get(2).body());
        assertThat(event.path("type").asText()).isEqualTo("run");
        assertThat(event.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(event.path("runId").asText()).isEqualTo(runId);
        assertThat(requests).allSatisfy(r -> {
            assertThat(r.eventId()).isEqualTo(event.path("id").asText());
            assertThat(Json.parse(r.body())).isEqualTo(event);
        });
        assertThat(delivery.path("eventId").asText()).isEqualTo(event.path("id").asText());
        assertThat(baton.get("/api/runs/" + runId + "/webhooks").body())
                .as("started is not subscribed")
                .hasSize(1);
    }

    @Test
    void aWebhookThatNeverSucceedsStopsAfterTheLastAllowedAttemptAndIsRecordedAsFailed() throws Exception {
        String runId = baton.startRun("down-hook", "{}");
        baton.awaitRun(runId, Duration.ofSeconds(30));
        JsonNode delivery = awaitDelivery(runId, "FAILED");

        assertThat(delivery.path("attempts").asInt()).isEqualTo(4);
        assertThat(delivery.path("nextAttemptAt").isNull()).isTrue();
        assertThat(delivery.path("log")).map(a -> a.path("statusCode").asInt()).containsExactly(503, 503, 503, 503);
        await().during(Duration.ofMillis(1500))
                .atMost(Duration.ofSeconds(3))
                .until(() -> hooks.requests("/down").size() == 4);
    }

    @Test
    void aConnectionErrorIsRecordedAndRetriedLikeAnyFailure() throws Exception {
        String runId = baton.startRun("refused-hook", "{}");
        assertThat(baton.awaitRun(runId, Duration.ofSeconds(30)).path("status").asText())
                .isEqualTo("FAILED");
        JsonNode delivery = awaitDelivery(runId, "FAILED");

        assertThat(delivery.path("outcome").asText()).isEqualTo("failed");
        assertThat(delivery.path("log")).hasSize(4).allSatisfy(a -> {
            assertThat(a.path("statusCode").isNull()).isTrue();
            assertThat(a.path("error").asText()).startsWith("ConnectException");
        });
    }

    @Test
    void theDeliveriesOfAnUnknownRunAreA404Problem() throws Exception {
        assertThat(baton.get("/api/runs/no-such-run/webhooks").status()).isEqualTo(404);
    }

    @Test
    void theWaitDoublesFromTheFirstUpToTheMaximum() {
        var settings = new WebhookSettings(
                new RetryPolicy(10, Backoff.EXPONENTIAL, Duration.ofSeconds(2), Duration.ofSeconds(20), 0),
                Duration.ofSeconds(1));
        Webhooks webhooks = new Webhooks(null, null, null, settings, Clock.systemUTC());
        assertThat(java.util.stream.IntStream.rangeClosed(1, 5)
                        .mapToObj(webhooks::backoff)
                        .map(Duration::toSeconds))
                .containsExactly(2L, 4L, 8L, 16L, 20L);
    }

    private static JsonNode awaitDelivery(String runId, String status) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode list = baton.get("/api/runs/" + runId + "/webhooks").body();
            return list.size() == 1 && list.at("/0/status").asText().equals(status);
        });
        try {
            return baton.get("/api/runs/" + runId + "/webhooks").body().get(0);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Instant time(JsonNode o, String field) {
        return Instant.parse(o.path(field).asText());
    }
}
