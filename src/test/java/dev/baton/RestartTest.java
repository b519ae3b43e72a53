package dev.baton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restart on the same data continues runs, even those whose pipeline file was deleted meanwhile, and those
 * waiting for people.
 */
class RestartTest {
    @TempDir
    Path root;

    @Test
    void aRunWhosePipelineFileIsGoneStillFinishesAfterARestart() throws Exception {
        String id;
        try (TestBaton first = TestBaton.start(root, """
                agents:
                  first-only: {kind: demo, delay: 1s}
                  second-only: {kind: demo}
                """, Map.of("orphan.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: orphan}
                spec:
                  pipeline:
                    stages:
                      - {name: a, agent: first-only, output: "$.a"}
                      - {name: b, dependsOn: [a], agent: second-only, output: "$.b"}
                """))) {
            id = first.startRun("orphan", "{}");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> first.server
                            .runs()
                            .get(id)
                            .at("/stages/0/status")
                            .asText()
                            .equals("RUNNING"));
        }
        Files.delete(root.resolve("routes/orphan.yaml"));

        try (TestBaton second = TestBaton.restart(root)) {
            assertThat(second.get("/api/pipelines/orphan").status()).isEqualTo(404);
            JsonNode run = second.awaitRun(id, Duration.ofSeconds(30));
            assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(run.at("/stages/1/status").asText()).isEqualTo("SUCCEEDED");
        }
    }

    @Test
    void anApprovalWaitsThroughARestartAndItsTimeoutStillFires() throws Exception {
        String decided;
        String timed;
        String gate = """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: %s}
                spec:
                  pipeline:
                    stages:
                      - {name: gate, approval: {approvers: [alice], timeout: %s, onTimeout: approve}}
                      - {name: after, dependsOn: [gate], agent: worker}
                """;
        try (TestBaton first = TestBaton.start(
                root,
                "default: {kind: demo}\n",
                Map.of("patient.yaml", gate.formatted("patient", "1h"), "hasty.yaml", gate.formatted("hasty", "3s")))) {
            decided = first.startRun("patient", "{}");
            timed = first.startRun("hasty", "{}");
            for (String id : new String[] {decided, timed}) {
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> first.server
                                .runs()
                                .get(id)
                                .at("/stages/0/status")
                                .asText()
                                .equals("WAITING_APPROVAL"));
            }
        }
        try (TestBaton second = TestBaton.restart(root)) {
            assertThat(second.as("alice")
                            .post(
                                    "/api/runs/" + decided + "/approvals/gate",
                                    "{\"decision\": \"reject\", \"approver\": \"alice\"}")
                            .status())
                    .isEqualTo(200);
            assertThat(second.awaitRun(decided, Duration.ofSeconds(30))
                            .path("status")
                            .asText())
                    .isEqualTo("FAILED");
            // nobody decides the other: its timeout, a persistent scheduled message, fires after the restart
            JsonNode run = second.awaitRun(timed, Duration.ofSeconds(30));
            assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(run.at("/stages/0/output/how").asText()).startsWith("approved by timeout");
        }
    }
}
