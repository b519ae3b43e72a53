package dev.baton.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import dev.baton.TestBaton.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The REST API over real HTTP: shapes, Idempotency-Key, and problem+json errors that change nothing. */
class RunApiTest {
    @TempDir
    static Path root;

    static TestBaton baton;

    static final String PIPELINE = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: greet, description: Say hello}
            spec:
              params:
                who: {required: true}
                greeting: {default: hello}
              pipeline:
                stages:
                  - {name: compose, agent: greeter, input: "$.params", output: "$.message"}
            """;

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(root, """
                agents:
                  greeter: {kind: demo, output: "{{ input.greeting }}, {{ input.who }}!"}
                """, Map.of("greet.yaml", PIPELINE));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    @Test
    void startAndGetARunInTheDocumentedShape() throws Exception {
        Response created = baton.post("/api/pipelines/greet/runs", "{\"who\": \"Ada\"}");
        assertThat(created.status()).isEqualTo(201);
        String id = created.body().path("id").asText();
        assertThat(created.body().path("status").asText()).isEqualTo("RUNNING");
        assertThat(created.headers().firstValue("Location")).contains("/api/runs/" + id);

        baton.awaitRun(id, Duration.ofSeconds(20));
        JsonNode run = baton.get("/api/runs/" + id).body();
        assertThat(run.path("pipeline").asText()).isEqualTo("greet");
        assertThat(run.path("revision").asText()).hasSize(64);
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.at("/params/greeting").asText()).as("default applied").isEqualTo("hello");
        assertThat(run.at("/context/message").asText()).isEqualTo("hello, Ada!");
        JsonNode stage = run.at("/stages/0");
        assertThat(stage.path("name").asText()).isEqualTo("compose");
        assertThat(stage.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(stage.path("attempts").asInt()).isEqualTo(1);
        JsonNode ticket = stage.at("/tickets/0");
        assertThat(ticket.path("agent").asText()).isEqualTo("greeter");
        assertThat(ticket.path("attempt").asInt()).isEqualTo(1);
        assertThat(ticket.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(ticket.path("output").asText()).isEqualTo("hello, Ada!");
        assertThat(ticket.has("item")).isTrue();

        JsonNode history = baton.get("/api/runs/" + id + "/history").body();
        List<String> statuses = new ArrayList<>();
        history.forEach(h -> statuses.add(h.path("status").asText()));
        assertThat(statuses)
                .containsExactly("RUN_RUNNING", "QUEUED", "RUNNING", "SUCCEEDED", "STAGE_SUCCEEDED", "RUN_SUCCEEDED");

        JsonNode list = baton.get("/api/runs?pipeline=greet&limit=500").body();
        assertThat(list.path("items").findValuesAsText("id")).contains(id);
        assertThat(list.path("next").isNull()).isTrue();
    }

    @Test
    void theSameIdempotencyKeySentTenTimesConcurrentlyMakesOneRun() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            List<Callable<Response>> calls = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                calls.add(() ->
                        baton.post("/api/pipelines/greet/runs", "{\"who\": \"Bob\"}", "Idempotency-Key", "key-42"));
            }
            Set<String> ids = new HashSet<>();
            int created = 0;
            for (Future<Response> f : pool.invokeAll(calls)) {
                Response r = f.get();
                assertThat(r.status()).isIn(200, 201);
                if (r.status() == 201) created++;
                ids.add(r.body().path("id").asText());
            }
            assertThat(ids).hasSize(1);
            assertThat(created).isEqualTo(1);
            Response replay =
                    baton.post("/api/pipelines/greet/runs", "{\"who\": \"Bob\"}", "Idempotency-Key", "key-42");
            assertThat(replay.status()).isEqualTo(200);
            assertThat(replay.headers().firstValue("Idempotent-Replayed")).contains("true");
            assertThat(baton.query("SELECT COUNT(*) AS n FROM run WHERE idempotency_key = 'key-42'"))
                    .first()
                    .satisfies(r -> assertThat(((Number) r.get("n")).intValue()).isEqualTo(1));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anIdempotencyKeyReusedWithOtherParamsIsRefused() throws Exception {
        assertThat(baton.post("/api/pipelines/greet/runs", "{\"who\": \"Cy\"}", "Idempotency-Key", "k-7")
                        .status())
                .isEqualTo(201);
        Response r = baton.post("/api/pipelines/greet/runs", "{\"who\": \"Di\"}", "Idempotency-Key", "k-7");
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
    }

    @Test
    void badRequestsGetProblemJsonAndCreateNothing() throws Exception {
        int before = runCount();

        Response unknown = baton.post("/api/pipelines/nope/runs", "{}");
        assertProblem(unknown, 404);
        assertThat(unknown.body().path("detail").asText())
                .isEqualTo("pipeline 'nope' is not loaded; loaded pipelines: greet");

        Response params = baton.post("/api/pipelines/greet/runs", "{\"whom\": \"x\", \"extra\": 1}");
        assertProblem(params, 400);
        assertThat(params.body().path("detail").asText()).isEqualTo("params do not match pipeline 'greet'");
        List<String> errors = new ArrayList<>();
        params.body().path("errors").forEach(e -> errors.add(e.asText()));
        assertThat(errors)
                .containsExactlyInAnyOrder(
                        "unknown param 'whom'; declared params are greeting, who",
                        "unknown param 'extra'; declared params are greeting, who",
                        "missing required param 'who'");

        Response json = baton.post("/api/pipelines/greet/runs", "{\"who\": ");
        assertProblem(json, 400);
        assertThat(json.body().path("detail").asText()).isEqualTo("request body is not valid JSON");

        Response array = baton.post("/api/pipelines/greet/runs", "[1, 2]");
        assertProblem(array, 400);

        assertProblem(baton.get("/api/runs/00000000-0000-0000-0000-000000000000"), 404);
        assertThat(baton.post("/api/pipelines/greet/runs", "{\"who\": \"" + "x".repeat(1_100_000) + "\"}")
                        .status())
                .as("body over 1 MiB")
                .isEqualTo(413);
        assertProblem(baton.get("/api/runs?status=DANCING"), 400);

        assertThat(runCount()).isEqualTo(before);
    }

    @Test
    void pipelinesAreListedWithTheirStagesAndWaves() throws Exception {
        JsonNode body = baton.get("/api/pipelines").body();
        JsonNode greet = body.path("pipelines").get(0);
        assertThat(greet.path("name").asText()).isEqualTo("greet");
        assertThat(greet.path("description").asText()).isEqualTo("Say hello");
        assertThat(greet.at("/params/who/required").asBoolean()).isTrue();
        assertThat(greet.at("/stages/0/agent").asText()).isEqualTo("greeter");
        assertThat(greet.at("/waves/0/0").asText()).isEqualTo("compose");
        assertThat(baton.get("/api/pipelines/greet").body().path("name").asText())
                .isEqualTo("greet");
        assertProblem(baton.get("/api/pipelines/nope"), 404);
    }

    @Test
    void healthSaysUpAndGivesHeapFigures() throws Exception {
        JsonNode health = baton.get("/api/health").body();
        assertThat(health.path("status").asText()).isEqualTo("UP");
        JsonNode heap = health.path("heap");
        assertThat(heap.path("maxMiB").asLong()).isPositive();
        assertThat(heap.path("liveMiB").asLong())
                .isPositive()
                .isLessThanOrEqualTo(heap.path("maxMiB").asLong());
        assertThat(heap.path("peakMiB").asLong())
                .isGreaterThanOrEqualTo(heap.path("liveMiB").asLong());
        assertThat(health.path("outbox").isInt()).as("the outbox's depth").isTrue();
    }

    private static void assertProblem(Response r, int status) {
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
        assertThat(r.body().path("status").asInt()).isEqualTo(status);
        assertThat(r.body().path("title").asText()).isNotBlank();
    }

    private static int runCount() throws Exception {
        return ((Number) baton.query("SELECT COUNT(*) AS n FROM run").get(0).get("n")).intValue();
    }
}
