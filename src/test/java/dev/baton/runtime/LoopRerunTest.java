package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cancel in the middle of a loop (inner multi-agent stage), then rerun: inner rows are revived. */
class LoopRerunTest {
    @TempDir
    static Path root;

    static TestBaton baton;

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(root, """
                agents:
                  slow: {kind: demo, delay: 700ms, output: {n: 1}}
                  a: {kind: demo, output: {v: a}}
                  b: {kind: demo, output: {v: b}}
                  undo: {kind: demo, output: {undone: true}}
                """, Map.of("loop.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: loop}
                spec:
                  pipeline:
                    stages:
                      - name: rounds
                        compensate: {agent: undo}
                        loop:
                          until: 'iteration >= 3'
                          maxIterations: 4
                          stages:
                            - {name: x, agent: slow}
                            - {name: y, dependsOn: [x], agents: [a, b], aggregateStrategy: all}
                      - {name: end, dependsOn: [rounds], agent: a}
                """));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    @Test
    void cancelMidLoopThenRerun() throws Exception {
        String id = baton.startRun("loop", "{}");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> !baton.query(
                                "SELECT 1 FROM ticket WHERE run_id = ? AND stage = 'rounds/x' AND iteration = 2", id)
                        .isEmpty());
        assertThat(baton.post("/api/runs/" + id + "/cancel", "").status()).isEqualTo(200);
        assertThat(baton.awaitRun(id, Duration.ofSeconds(20)).path("status").asText())
                .isEqualTo("CANCELLED");
        assertThat(baton.post("/api/runs/" + id + "/rerun", "").status()).isEqualTo(200);
        JsonNode run = baton.awaitRun(id, Duration.ofSeconds(30));
        assertThat(run.path("status").asText()).as(run.path("error").asText()).isEqualTo("SUCCEEDED");
        assertThat(baton.query(
                        "SELECT 1 FROM ticket WHERE run_id = ? AND stage = 'rounds/y' AND iteration = 3 "
                                + "AND status = 'SUCCEEDED'",
                        id))
                .hasSize(2);
    }
}
