package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import dev.baton.TestBaton.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A compensation ticket superseded by an earlier rerun does not mean the stage was undone in the latest try. */
class RerunCompensationTest {
    @TempDir
    static Path root;

    static TestBaton baton;

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(root, """
                agents:
                  booker: {kind: demo, output: {booked: "{{ stage }}"}}
                  undo: {kind: demo, output: {undone: true}}
                  flaky: {kind: demo, failFirstAttempts: 1, output: {done: true}}
                  undoflaky: {kind: demo, failFirstAttempts: 1, output: {undone: true}}
                  failer: {kind: demo, fail: true}
                """, Map.of("saga2.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: saga2}
                spec:
                  pipeline:
                    stages:
                      - {name: a, agent: booker, compensate: {agent: undo}}
                      - {name: b, dependsOn: [a], agent: flaky, compensate: {agent: undoflaky}}
                      - {name: c, dependsOn: [b], agent: failer}
                """));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    @Test
    void aStageThatWasNotUndoneInTheLastTryIsKept() throws Exception {
        String id = baton.startRun("saga2", "{}");
        // try 1: b fails, a is compensated
        assertThat(baton.awaitRun(id, Duration.ofSeconds(20)).path("status").asText())
                .isEqualTo("COMPENSATED");
        Response r1 = baton.post("/api/runs/" + id + "/rerun", "");
        assertThat(r1.body().path("rerun")).extracting(JsonNode::asText).containsExactly("a", "b", "c");
        // try 2: a and b succeed, c fails, compensating b fails: a is done and NOT undone
        JsonNode run = baton.awaitRun(id, Duration.ofSeconds(20));
        assertThat(run.path("status").asText()).isEqualTo("FAILED");
        Response r2 = baton.post("/api/runs/" + id + "/rerun", "");
        assertThat(r2.body().path("rerun"))
                .extracting(JsonNode::asText)
                .as("a was not undone in try 2")
                .containsExactly("b", "c");
    }
}
