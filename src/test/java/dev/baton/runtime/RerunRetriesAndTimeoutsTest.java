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
        assertThat(baton.awaitRun(id, Duration.ofSeconds(20)).path("status").asText()).isEqualTo("FAILED");
        assertThat(baton.post("/api/runs/" + id + "/rerun", "").status()).isEqualTo(200);
        JsonNode run = baton.awaitRun(id, Duration.ofSeconds(20));
        assertThat(run.path("status").asText()).as(run.path("error").asText()).isEqualTo("SUCCEEDED");
    }

    /** The first try's timeout message is still scheduled after a cancel; it must not decide the re-asked stage. */
    @Test
    void theTimeoutOfTheEarlierTryDoesNotDecideTheRerun() throws Exception {
        String id = baton.startRun("gate", "{}");
        await().atMost(Duration.ofSeconds(10)).until(() -> stageStatus(id, "gate").equals("WAITING_APPROVAL"));
        long asked = System.nanoTime();
        assertThat(baton.post("/api/runs/" + id + "/cancel", "").status()).isEqualTo(200);
        assertThat(baton.awaitRun(id, Duration.ofSeconds(10)).path("status").asText()).isEqualTo("CANCELLED");
        Thread.sleep(1500);
        assertThat(baton.post("/api/runs/" + id + "/rerun", "").status()).isEqualTo(200);
        long reasked = System.nanoTime();
        await().atMost(Duration.ofSeconds(10)).until(() -> stageStatus(id, "gate").equals("WAITING_APPROVAL"));
        // the first try's timeout comes due ~4s after 'asked'; the rerun's only ~4s after 'reasked'
        Thread.sleep(Math.max(0, Duration.ofSeconds(5).toMillis() - (System.nanoTime() - asked) / 1_000_000));
        long sinceRerun = (System.nanoTime() - reasked) / 1_000_000;
        assertThat(sinceRerun).isLessThan(3800);
        assertThat(stageStatus(id, "gate")).isEqualTo("WAITING_APPROVAL");
    }
}
