package dev.baton;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One big run must not stall the others: while a 10,000-item for_each works its way through (demo agents, no delay,
 * 50 items at a time), a small 2-stage run started beside it succeeds while most of the big run's items are still
 * outstanding. Measured by counts, not by clocks: when the small run has ended, more than half of the big run's items
 * must not be done yet.
 */
class BigRunBesideSmallIT {
    static final int ITEMS = 10_000;

    @TempDir
    static Path root;

    static TestBaton baton;

    static final String BIG = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: big}
            spec:
              params:
                items: {required: true}
              pipeline:
                stages:
                  - name: each
                    dynamic:
                      generator: for_each
                      input: "$.params.items"
                      maxParallel: 50
                      template: {name: "item-{{ index }}", agent: worker, input: "{{ item }}"}
                    output: "$.each"
            """;

    static final String SMALL = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: small}
            spec:
              pipeline:
                stages:
                  - {name: one, agent: quick}
                  - {name: two, agent: quick, dependsOn: [one]}
            """;

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(root, """
                agents:
                  worker: {kind: demo, output: {ok: true}}
                  quick: {kind: demo, output: {ok: true}}
                """, Map.of("big.yaml", BIG, "small.yaml", SMALL));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    @Test
    void aSmallRunSucceedsWhileMostOfABigRunIsOutstanding() throws Exception {
        ObjectNode params = Json.object();
        ArrayNode items = params.putArray("items");
        for (int i = 0; i < ITEMS; i++) items.add(i);
        String big = baton.startRun("big", Json.write(params));
        // The big run is in full swing: items are being applied, not merely dispatched.
        Awaitility.await().atMost(Duration.ofMinutes(2)).until(() -> done(big) >= 50);

        String small = baton.startRun("small", "{}");
        String status =
                baton.awaitRun(small, Duration.ofMinutes(10)).path("status").asText();
        int doneWhenSmallEnded = done(big);
        String bigStatus = baton.server.runs().get(big, 0).path("status").asText();
        System.out.printf(
                "BigRunBesideSmallIT: small run %s; big run %s with %d of %d items done when it ended%n",
                status, bigStatus, doneWhenSmallEnded, ITEMS);

        assertThat(status).isEqualTo("SUCCEEDED");
        assertThat(doneWhenSmallEnded)
                .as("items of the big run done when the small run ended")
                .isLessThan(ITEMS / 2);
        assertThat(bigStatus).isEqualTo("RUNNING");
        baton.admin().post("/api/runs/" + big + "/cancel", "{\"reason\": \"the test has what it needs\"}");
    }

    /** The big run's items done, from its stage row. */
    private static int done(String run) throws Exception {
        var rows = baton.query("SELECT items_done FROM run_stage WHERE run_id = ? AND name = 'each'", run);
        return rows.isEmpty() ? 0 : ((Number) rows.get(0).values().iterator().next()).intValue();
    }
}
