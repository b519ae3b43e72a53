package dev.baton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code baton run} stopped by SIGTERM (what Ctrl-C and {@code docker stop} send), as a real process: it says what was
 * in flight, stops without a WARN or ERROR after that, and the runs go on after the next start. A SIGTERM while it is
 * still starting ends the process too, instead of leaving it hanging.
 */
class ShutdownIT {
    @TempDir
    Path root;

    private BatonProcess baton;

    static final String AGENTS = """
            agents:
              worker: {kind: demo}
            """;

    static final String GATE = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: gate}
            spec:
              pipeline:
                stages:
                  - {name: a, agent: worker}
                  - {name: ok, dependsOn: [a], approval: {approvers: [admin]}}
                  - {name: b, dependsOn: [ok], agent: worker}
            """;

    @AfterEach
    void stop() throws Exception {
        if (baton != null) baton.stop();
    }

    private BatonProcess prepare() throws Exception {
        Files.createDirectories(root.resolve("routes"));
        Files.createDirectories(root.resolve("config"));
        Files.writeString(root.resolve("config/agents.yaml"), AGENTS);
        Files.writeString(root.resolve("routes/gate.yaml"), GATE);
        baton = new BatonProcess(root);
        return baton;
    }

    @Test
    void sigtermSaysWhatWasInFlightAndTheRunsGoOnAfterTheNextStart() throws Exception {
        prepare().start(null);
        List<String> ids = List.of(started(), started());
        for (String id : ids) {
            await().atMost(Duration.ofSeconds(60)).until(() -> "WAITING_APPROVAL".equals(stage(id, "ok")));
        }
        baton.terminate();
        assertThat(baton.awaitExit()).isEqualTo(143);
        List<String> lines = Files.readAllLines(baton.logFile(1));
        int stopping = indexOf(
                lines,
                "BatonServer          stopping: 2 run(s) in flight, 0 ticket(s) queued or with "
                        + "agents; they go on when Baton starts again");
        assertThat(stopping).as("the stopping line in %s", baton.logFile(1)).isNotNegative();
        List<String> after = lines.subList(stopping, lines.size());
        assertThat(after).anyMatch(l -> l.endsWith("INFO  BatonServer          stopped"));
        assertThat(after)
                .as("nothing goes wrong while it stops")
                .noneMatch(l -> l.contains(" WARN ") || l.contains(" ERROR ") || l.contains("Exception"));

        baton.start(null);
        for (String id : ids) {
            JsonNode decided = baton.post("/api/runs/" + id + "/approvals/ok", "{\"decision\": \"approve\"}");
            assertThat(decided.path("counted").asBoolean())
                    .as(decided.toString())
                    .isTrue();
        }
        for (String id : ids) {
            await().atMost(Duration.ofSeconds(60)).until(() -> "SUCCEEDED".equals(status(id)));
        }
    }

    @Test
    void sigtermWhileStartingEndsTheProcess() throws Exception {
        prepare().launch(null);
        // As soon as the JVM has begun: the signal lands somewhere in the start.
        await().atMost(Duration.ofSeconds(60))
                .until(() -> Files.exists(baton.logFile(1)) && Files.size(baton.logFile(1)) > 0);
        baton.terminate();
        assertThat(baton.alive())
                .as("still running 60 s after SIGTERM; see %s", baton.logFile(1))
                .isFalse();
        assertThat(baton.awaitExit()).isEqualTo(143);
        String log = Files.readString(baton.logFile(1));
        assertThat(log).containsAnyOf("stopped while starting", "INFO  BatonServer          stopped");
        assertThat(log).doesNotContain("baton: Shutdown in progress");
    }

    private String started() {
        JsonNode run = baton.tryStart("gate", "{}", java.util.UUID.randomUUID().toString());
        assertThat(run).isNotNull();
        return run.path("id").asText();
    }

    private String status(String id) throws Exception {
        return baton.get("/api/runs/" + id).path("status").asText();
    }

    private String stage(String id, String name) throws Exception {
        for (JsonNode s : baton.get("/api/runs/" + id).path("stages")) {
            if (s.path("name").asText().equals(name)) return s.path("status").asText();
        }
        return null;
    }

    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) return i;
        }
        return -1;
    }
}
