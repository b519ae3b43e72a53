package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import dev.baton.pipeline.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every placeholder of a demo agent's output template resolves as documented in a for_each (issue 18: {@code {{
 * item.id }}} gave a quiet null); one without a value in a ticket fails the attempt with the placeholder named.
 */
class DemoOutputTemplateTest {
    @TempDir
    static Path root;

    static TestBaton baton;

    static String pipeline(String name, String agent) {
        return """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: %s}
                spec:
                  params:
                    issues: {required: true}
                  pipeline:
                    stages:
                      - name: each
                        dynamic:
                          generator: for_each
                          input: "$.params.issues"
                          template: {name: "fix-{{ item.id }}", agent: %s}
                        output: "$.fixes"
                """.formatted(name, agent);
    }

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(root, """
                agents:
                  fixer:
                    kind: demo
                    output: {fixed: "{{ input.id }}", index: "{{ item }}", by: "{{ agent }} in {{ stage }}", asked: "{{ params.issues }}", note: "item {{ input.id }} of {{ params.issues }}"}
                """, Map.of("each.yaml", pipeline("each", "fixer")));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    @Test
    void everyPlaceholderResolvesForEachItem() throws Exception {
        JsonNode run = baton.awaitRun(
                baton.startRun("each", "{\"issues\": [{\"id\": 7}, {\"id\": \"x\"}]}"), Duration.ofSeconds(60));
        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
        JsonNode fixes = run.path("context").path("fixes");
        assertThat(fixes).hasSize(2);
        assertThat(fixes.get(0)).isEqualTo(Json.parse("""
                {"fixed": 7, "index": 0, "by": "fixer in each", "asked": [{"id": 7}, {"id": "x"}],
                 "note": "item 7 of [{\\"id\\":7},{\\"id\\":\\"x\\"}]"}"""));
        assertThat(fixes.get(1).path("fixed").asText()).isEqualTo("x");
        assertThat(fixes.get(1).path("index").asInt()).isEqualTo(1);
    }

    @Test
    void aPlaceholderWithoutAValueFailsTheAttemptNamingIt() throws Exception {
        JsonNode run =
                baton.awaitRun(baton.startRun("each", "{\"issues\": [{\"name\": \"no id\"}]}"), Duration.ofSeconds(60));
        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("FAILED");
        assertThat(run.toString()).contains("agent fixer output template: {{ input.id }} has no value in this ticket");
    }
}
