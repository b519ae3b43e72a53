package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saga compensation on the real broker and H2: reverse completion order, retries, a failed compensation. */
class CompensationTest {
    @TempDir
    static Path root;

    static TestBaton baton;

    static String pipeline(String name, String undoAgent) {
        return """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: %s}
                spec:
                  pipeline:
                    stages:
                      - name: book-hotel
                        agent: booker
                        output: "$.hotel"
                        retry: {maxAttempts: 2, initialDelay: 50ms}
                        compensate: {agent: %s, input: "$.hotel"}
                      - name: book-flight
                        dependsOn: [book-hotel]
                        agent: booker
                        output: "$.flight"
                        compensate: {agent: %s, retry: {maxAttempts: 3, initialDelay: 50ms}}
                      - {name: notify, dependsOn: [book-flight], agent: booker}
                      - {name: charge, dependsOn: [notify], agent: broken}
                """.formatted(name, undoAgent, undoAgent);
    }

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(
                root,
                """
                agents:
                  booker: {kind: demo, output: {booked: "{{ stage }}"}}
                  undo: {kind: demo, output: {undone: "{{ input.booked }}"}, failFirstAttempts: 1}
                  undo-broken: {kind: demo, fail: true}
                  broken: {kind: demo, fail: true}
                """,
                Map.of(
                        "trip.yaml",
                        pipeline("trip", "undo"),
                        "trip-stuck.yaml",
                        pipeline("trip-stuck", "undo-broken")));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    @Test
    void aFailedRunCompensatesCompletedStagesInReverseOrderAndEndsCompensated() throws Exception {
        String id = baton.startRun("trip", "{}");
        JsonNode run = baton.awaitRun(id, Duration.ofSeconds(30));
        assertThat(run.path("status").asText()).isEqualTo("COMPENSATED");
        assertThat(run.path("error").asText())
                .isEqualTo("stage 'charge' failed: attempt 1 of 1 failed: agent broken always fails");

        List<Map<String, Object>> done = baton.query(
                "SELECT stage, attempt, output FROM ticket WHERE run_id = ? " + "AND item = -1 ORDER BY updated_at",
                id);
        assertThat(done).extracting(r -> r.get("stage")).containsExactly("book-flight", "book-hotel");
        // each compensation had retries (book-hotel's its stage's, book-flight's its own): undo fails every first try
        assertThat(done).extracting(r -> ((Number) r.get("attempt")).intValue()).containsExactly(2, 2);
        assertThat((String) done.get(0).get("output")).contains("\"undone\":\"book-flight\"");

        List<String> order = baton
                .query(
                        "SELECT stage, status FROM ticket_history WHERE run_id = ? AND status IN "
                                + "('STAGE_SUCCEEDED', 'RUN_COMPENSATING', 'RUN_COMPENSATED') OR (run_id = ? AND status = 'SUCCEEDED' "
                                + "AND ticket_id IN (SELECT id FROM ticket WHERE item = -1)) ORDER BY seq",
                        id,
                        id)
                .stream()
                .map(r -> r.get("status") + ":" + r.get("stage"))
                .toList();
        assertThat(order)
                .containsExactly(
                        "STAGE_SUCCEEDED:book-hotel",
                        "STAGE_SUCCEEDED:book-flight",
                        "STAGE_SUCCEEDED:notify",
                        "RUN_COMPENSATING:null",
                        "SUCCEEDED:book-flight",
                        "SUCCEEDED:book-hotel",
                        "RUN_COMPENSATED:null");
    }

    @Test
    void aCompensationThatFailsForGoodFailsTheRunNamingIt() throws Exception {
        String id = baton.startRun("trip-stuck", "{}");
        JsonNode run = baton.awaitRun(id, Duration.ofSeconds(30));
        assertThat(run.path("status").asText()).isEqualTo("FAILED");
        assertThat(run.path("error").asText())
                .isEqualTo("compensation of stage 'book-flight' failed after 1 attempt: "
                        + "agent undo-broken always fails (the run had failed: stage 'charge' failed: attempt 1 of 1 failed: "
                        + "agent broken always fails)");
    }
}
