package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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

/** A rerun revives ticket rows: the retry budget starts again, and a timeout of the earlier ask cannot decide the new one. */
class RerunRetriesAndTimeoutsTest {
    @TempDir
    static Path root;

    static TestBaton baton;

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(root, """
                agents:
                  booker: {kind: demo, output: {booked: "{{ stage }}"}}
                  flaky3: {kind: demo, failFirstAttempts: 3, output: {done: true}}
                """, Map.of("retrying.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: retrying}
                spec:
                  pipeline:
                    stages:
                      - {name: c, agent: flaky3, retry: {maxAttempts: 2, initialDelay: 100ms}}
                """, "gate.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: gate}
                spec:
                  pipeline:
                    stages:
                      - name: gate
                        approval: {approvers: [alice], timeout: 4s, onTimeout: reject}
                      - {name: after, dependsOn: [gate], agent: booker}
                """));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    private static String stageStatus(String runId, String name) throws Exception {
        for (JsonNode s : baton.get("/api/runs/" + runId).body().path("stages")) {
            if (s.path("name").asText().equals(name)) {
                return s.path("status").asText();
            }
        }
        throw new AssertionError("no stage " + name);
    }

    /** A rerun should give the stage its retry policy again; the revived row's attempt count uses it up. */
    @Test
    void aRerunStageGetsItsRetriesAgain() throws Exception {
        String id = baton.startRun("retrying", "{}");
        assertThat(baton.awaitRun(id, Duration.ofSeconds(20)).path("status").asText())
                .isEqualTo("FAILED");
        assertThat(baton.post("/api/runs/" + id + "/rerun", "").status()).isEqualTo(200);
        JsonNode run = baton.awaitRun(id, Duration.ofSeconds(20));
        assertThat(run.path("status").asText()).as(run.path("error").asText()).isEqualTo("SUCCEEDED");
    }

    /** The first try's timeout message is still scheduled after a cancel; it must not decide the re-asked stage. */
    @Test
    void theTimeoutOfTheEarlierTryDoesNotDecideTheRerun() throws Exception {
        String id = baton.startRun("gate", "{}");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> stageStatus(id, "gate").equals("WAITING_APPROVAL"));
        assertThat(baton.post("/api/runs/" + id + "/cancel", "").status()).isEqualTo(200);
        assertThat(baton.awaitRun(id, Duration.ofSeconds(10)).path("status").asText())
                .isEqualTo("CANCELLED");
        assertThat(baton.post("/api/runs/" + id + "/rerun", "").status()).isEqualTo(200);
        long reasked = System.nanoTime();

        // the first ask's 4 s timeout comes due first, and is refused; the rerun's own decides later
        JsonNode run = baton.awaitRun(id, Duration.ofSeconds(20));
        long decidedAfter = (System.nanoTime() - reasked) / 1_000_000;
        List<Map<String, Object>> history = baton.query(
                "SELECT status, attempt, detail FROM ticket_history "
                        + "WHERE run_id = ? AND stage = 'gate' ORDER BY seq",
                id);
        assertThat(history)
                .anySatisfy(h -> assertThat(h.get("detail"))
                        .isEqualTo("timeout of an earlier ask (attempt 1) ignored: the stage asked again"));
        assertThat(history)
                .filteredOn(h -> "TIMED_OUT".equals(h.get("status")))
                .singleElement()
                .satisfies(
                        h -> assertThat(((Number) h.get("attempt")).intValue()).isEqualTo(2));
        assertThat(run.path("status").asText()).isEqualTo("FAILED");
        assertThat(run.path("error").asText()).startsWith("stage 'gate' failed: rejected by timeout");
        assertThat(decidedAfter).as("decided by the rerun's own 4 s timeout").isGreaterThanOrEqualTo(3_900);
    }
}
