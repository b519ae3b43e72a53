package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The durable engine on the real embedded broker and H2: DAG order, parallelism, joins, retries, scale. */
class EngineTest {
    @TempDir
    static Path root;

    static TestBaton baton;

    static final String AGENTS = """
            default: {kind: demo}
            agents:
              slow: {kind: demo, delay: 600ms}
              echo: {kind: demo, output: {echo: "{{ input }}", by: "{{ agent }}", at: "{{ stage }}"}}
              flaky: {kind: demo, failFirstAttempts: 2, output: {ok: true}}
              broken: {kind: demo, fail: true}
              fast: {kind: demo, concurrency: 8}
            """;

    static final String DIAMOND = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: diamond}
            spec:
              params:
                topic: {required: true}
              pipeline:
                stages:
                  - {name: start, agent: echo, input: "$.params.topic", output: "$.start"}
                  - {name: left, dependsOn: [start], agent: slow, input: "$.start", output: "$.left"}
                  - {name: right, dependsOn: [start], agent: slow, input: "$.start", output: "$.right"}
                  - {name: join, dependsOn: [left, right], agent: echo, output: "$.join"}
            """;

    static final String RETRY = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: retrying}
            spec:
              pipeline:
                stages:
                  - name: call
                    agent: flaky
                    retry: {maxAttempts: 3, backoff: exponential, initialDelay: 300ms, maxDelay: 5s}
            """;

    static final String FAILING = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: failing}
            spec:
              pipeline:
                stages:
                  - {name: first, agent: echo}
                  - {name: boom, dependsOn: [first], agent: broken, retry: {maxAttempts: 5}}
                  - {name: never, dependsOn: [boom], agent: echo}
            """;

    static final String SINGLE = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: single}
            spec:
              params:
                n: {default: 0}
              pipeline:
                stages:
                  - {name: only, agent: fast, input: "$.params.n", output: "$.only"}
            """;

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(
                root,
                AGENTS,
                Map.of(
                        "diamond.yaml",
                        DIAMOND,
                        "retrying.yaml",
                        RETRY,
                        "failing.yaml",
                        FAILING,
                        "single.yaml",
                        SINGLE,
                        "lattice.yaml",
                        lattice(10, 5)));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    @Test
    void diamondRunsInDependencyOrderWithParallelBranchesAndAJoin() throws Exception {
        String id = baton.startRun("diamond", "{\"topic\": \"queues\"}");
        JsonNode run = baton.awaitRun(id, Duration.ofSeconds(30));

        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.at("/context/start/echo").asText()).isEqualTo("queues");
        assertThat(run.at("/context/start/by").asText()).isEqualTo("echo");
        // the join's default input is the outputs of its dependencies, by name
        assertThat(run.at("/context/join/echo/left/stage").asText()).isEqualTo("left");
        assertThat(run.at("/context/join/echo/right/stage").asText()).isEqualTo("right");

        Map<String, Instant> queued = times(id, "QUEUED");
        Map<String, Instant> done = times(id, "SUCCEEDED");
        // independent stages overlap: each branch was queued before the other finished
        assertThat(queued.get("left")).isBefore(done.get("right"));
        assertThat(queued.get("right")).isBefore(done.get("left"));
        // the join waited for both
        assertThat(queued.get("join")).isAfterOrEqualTo(done.get("left")).isAfterOrEqualTo(done.get("right"));
        assertThat(queued.get("left")).isAfterOrEqualTo(done.get("start"));
    }

    @Test
    void aFiftyStageLatticeRunsEveryStageAfterAllItsDependencies() throws Exception {
        String id = baton.startRun("lattice", "{}");
        JsonNode run = baton.awaitRun(id, Duration.ofSeconds(60));

        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.path("stages")).hasSize(50);
        Map<String, Instant> queued = times(id, "QUEUED");
        Map<String, Instant> done = times(id, "SUCCEEDED");
        for (JsonNode s : run.path("stages")) {
            assertThat(s.path("status").asText()).isEqualTo("SUCCEEDED");
            for (String dep : deps(s.path("name").asText())) {
                assertThat(queued.get(s.path("name").asText())).isAfterOrEqualTo(done.get(dep));
            }
        }
        List<Map<String, Object>> history = baton.query(
                "SELECT stage, COUNT(*) AS n FROM ticket_history WHERE run_id = ? AND status = 'SUCCEEDED' GROUP BY stage",
                id);
        assertThat(history)
                .hasSize(50)
                .allSatisfy(r -> assertThat(((Number) r.get("n")).intValue()).isEqualTo(1));
    }

    @Test
    void retriesWithExponentialBackoffHeldByTheBroker() throws Exception {
        String id = baton.startRun("retrying", "{}");
        JsonNode run = baton.awaitRun(id, Duration.ofSeconds(30));

        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        JsonNode stage = run.path("stages").get(0);
        assertThat(stage.path("attempts").asInt()).isEqualTo(3);
        assertThat(stage.path("tickets").get(0).path("attempt").asInt()).isEqualTo(3);

        List<Map<String, Object>> failures = baton.query(
                "SELECT attempt, at FROM ticket_history WHERE run_id = ? " + "AND status = 'FAILED' ORDER BY seq", id);
        List<Map<String, Object>> queued = baton.query(
                "SELECT attempt, at FROM ticket_history WHERE run_id = ? " + "AND status = 'QUEUED' ORDER BY seq", id);
        assertThat(failures)
                .extracting(r -> ((Number) r.get("attempt")).intValue())
                .containsExactly(1, 2);
        assertThat(queued)
                .extracting(r -> ((Number) r.get("attempt")).intValue())
                .containsExactly(1, 2, 3);
        // each outcome arrives only after the broker held the retry: 300 ms, then twice as long
        Map<String, Object> success = baton.query(
                        "SELECT attempt, at FROM ticket_history WHERE run_id = ? " + "AND status = 'SUCCEEDED'", id)
                .get(0);
        Duration firstWait = between(failures.get(0), failures.get(1));
        Duration secondWait = between(failures.get(1), success);
        assertThat(firstWait).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        assertThat(secondWait).isGreaterThanOrEqualTo(Duration.ofMillis(550));
    }

    @Test
    void aPermanentFailureFailsTheRunNamingTheStageAndCancelsWhatIsLeft() throws Exception {
        String id = baton.startRun("failing", "{}");
        JsonNode run = baton.awaitRun(id, Duration.ofSeconds(30));

        assertThat(run.path("status").asText()).isEqualTo("FAILED");
        assertThat(run.path("error").asText())
                .isEqualTo("stage 'boom' failed: attempt 1 of 5 failed: agent broken always fails");
        assertThat(run.at("/stages/0/status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.at("/stages/1/status").asText()).isEqualTo("FAILED");
        assertThat(run.at("/stages/1/attempts").asInt())
                .as("not retryable: no second attempt")
                .isEqualTo(1);
        assertThat(run.at("/stages/2/status").asText()).isEqualTo("CANCELLED");
        assertThat(run.at("/stages/2/tickets")).isEmpty();
    }

    @Test
    void twoHundredConcurrentRunsAllComplete() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<String>> started = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int n = i;
                started.add(pool.submit(() -> baton.startRun("single", "{\"n\": " + n + "}")));
            }
            Map<String, Integer> ids = new HashMap<>();
            for (int i = 0; i < 200; i++) ids.put(started.get(i).get(), i);
            for (var e : ids.entrySet()) {
                JsonNode run = baton.awaitRun(e.getKey(), Duration.ofSeconds(120));
                assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
                assertThat(run.at("/context/only/input").asInt()).isEqualTo(e.getValue());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static Map<String, Instant> times(String runId, String status) throws Exception {
        Map<String, Instant> out = new HashMap<>();
        for (var r :
                baton.query("SELECT stage, at FROM ticket_history WHERE run_id = ? AND status = ?", runId, status)) {
            out.put((String) r.get("stage"), ((java.sql.Timestamp) r.get("at")).toInstant());
        }
        return out;
    }

    private static Duration between(Map<String, Object> a, Map<String, Object> b) {
        return Duration.between(
                ((java.sql.Timestamp) a.get("at")).toInstant(), ((java.sql.Timestamp) b.get("at")).toInstant());
    }

    /** A lattice of rows × cols stages; r-c depends on (r-1)-c and (r-1)-(c+1 mod cols). */
    static String lattice(int rows, int cols) {
        StringBuilder y = new StringBuilder("""
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: lattice}
                spec:
                  pipeline:
                    stages:
                """);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                y.append("      - {name: s").append(r).append('-').append(c).append(", agent: fast");
                if (r > 0) {
                    y.append(", dependsOn: [")
                            .append(String.join(", ", deps("s" + r + "-" + c)))
                            .append(']');
                }
                y.append("}\n");
            }
        }
        return y.toString();
    }

    static List<String> deps(String stage) {
        String[] rc = stage.substring(1).split("-");
        int r = Integer.parseInt(rc[0]);
        int c = Integer.parseInt(rc[1]);
        if (r == 0) return List.of();
        return List.of("s" + (r - 1) + "-" + c, "s" + (r - 1) + "-" + ((c + 1) % 5));
    }
}
