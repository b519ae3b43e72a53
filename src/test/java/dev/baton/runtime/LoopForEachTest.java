package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A for_each and a multi-agent stage inside a loop (Agent Orchestra's "fix each failing test, then test again"):
 * each iteration splits the items afresh, with tickets numbered by iteration, on the real broker and H2.
 */
class LoopForEachTest {
    @Test
    void eachIterationSplitsItsItemsAgainAndTheLoopEndsOnUntil(@TempDir Path root) throws Exception {
        try (TestBaton baton = TestBaton.start(root, """
                agents:
                  fixer: {kind: demo, output: {fixed: "{{ input }}"}}
                  tester: {kind: demo, output: {passed: true}}
                  reviewer: {kind: demo, output: {ok: true}}
                """, Map.of("fix-loop.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: fix-loop}
                spec:
                  params:
                    failing: {default: ["test_a", "test_b", "test_c"]}
                  pipeline:
                    stages:
                      - name: rounds
                        loop:
                          until: 'iteration >= 2'
                          maxIterations: 4
                          stages:
                            - name: fix
                              dynamic:
                                generator: for_each
                                input: "$.params.failing"
                                maxParallel: 2
                                template: {agent: fixer}
                            - name: test
                              dependsOn: [fix]
                              agents: [tester, reviewer]
                              aggregateStrategy: all
                """))) {
            JsonNode run = baton.awaitRun(baton.startRun("fix-loop", "{}"), Duration.ofSeconds(60));
            assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
            JsonNode rounds = run.path("stages").get(0);
            assertThat(rounds.path("output").path("iterations").asInt()).isEqualTo(2);
            assertThat(rounds.at("/output/outputs/fix")).hasSize(3);
            assertThat(rounds.at("/output/outputs/fix/2/fixed").asText()).isEqualTo("test_c");
            // three fixer tickets and two test tickets in each of the two iterations
            assertThat(tickets(baton, run.path("id").asText(), "rounds/fix")).isEqualTo(6);
            assertThat(tickets(baton, run.path("id").asText(), "rounds/test")).isEqualTo(4);
        }
    }

    /** How many tickets the run's stage has had, over all its iterations and attempts. */
    private static int tickets(TestBaton baton, String runId, String stage) throws Exception {
        Object n = baton.query("SELECT COUNT(*) AS n FROM ticket WHERE run_id = ? AND stage = ?", runId, stage)
                .get(0)
                .get("n");
        return n instanceof Number number ? number.intValue() : -1;
    }
}
