package dev.baton.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pipeline of thousands of stages starts over REST and its views answer with their structure intact: the start's 201
 * carries the run, the run view lists every stage with its ticket count, and tickets come a bounded page at a time.
 * Before the views were linear, the run view filtered every ticket and stage once per stage, and a start of 100,000
 * stages never answered. {@code -Dbig.stages=N} sets the size (1,000 by default: loading a revision's routes into
 * Camel still grows faster than their number, about 17 s for 3,200 stages and 10 minutes for 10,000 on a busy 2-core
 * machine, see {@code RevisionLoadBench}).
 */
class BigPipelineViewTest {
    static final int STAGES = Integer.getInteger("big.stages", 1_000);

    @TempDir
    static Path root;

    static TestBaton baton;

    /** A first stage for an agent nobody serves (so the run stays put), and every other stage depending on it. */
    static String pipeline() {
        StringBuilder y = new StringBuilder("""
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: wide}
                spec:
                  pipeline:
                    stages:
                      - {name: s0, agent: nobody}
                """);
        for (int i = 1; i < STAGES; i++) {
            y.append("      - {name: s").append(i).append(", agent: nobody, dependsOn: [s0]}\n");
        }
        return y.toString();
    }

    @BeforeAll
    static void start() throws Exception {
        java.nio.file.Files.createDirectories(root.resolve("config"));
        // 1000 by default: a big pipeline is allowed on purpose here, as an operator may allow it
        java.nio.file.Files.writeString(
                root.resolve("config/application.properties"), "baton.pipelines.max-stages = " + STAGES + "\n");
        baton = TestBaton.start(root, "agents:\n  nobody: {kind: external}\n", Map.of("wide.yaml", pipeline()));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    @Test
    void aRunOfThousandsOfStagesStartsAndItsViewsAreBounded() throws Exception {
        TestBaton.Response started = baton.post("/api/pipelines/wide/runs", "{}");
        assertThat(started.status()).as(String.valueOf(started.status())).isEqualTo(201);
        String id = started.body().path("id").asText();
        assertThat(id).isNotBlank();
        assertThat(started.body().path("stages")).hasSize(STAGES);

        JsonNode run = baton.get("/api/runs/" + id).body();
        assertThat(run.path("status").asText()).isEqualTo("RUNNING");
        assertThat(run.path("stages")).hasSize(STAGES);
        assertThat(run.path("graph")).hasSize(STAGES);
        int tickets = 0;
        for (JsonNode stage : run.path("stages")) {
            tickets += stage.path("ticketCount").asInt();
            assertThat(stage.path("tickets").size())
                    .isEqualTo(stage.path("ticketCount").asInt());
            assertThat(stage.path("ticketsNext").isNull()).isTrue();
        }
        assertThat(tickets).as("only s0 is dispatched; the others wait for it").isEqualTo(1);
        assertThat(run.at("/stages/0/name").asText()).isEqualTo("s0");
        assertThat(run.at("/stages/0/tickets/0/status").asText()).isEqualTo("QUEUED");
        assertThat(run.at("/stages/1/status").asText()).isEqualTo("WAITING_DEPS");

        JsonNode page = baton.get("/api/runs/" + id + "/tickets?limit=10").body();
        assertThat(page.path("items")).hasSize(1);
        assertThat(page.at("/items/0/stage").asText()).isEqualTo("s0");
        assertThat(page.path("next").isNull()).isTrue();

        // history a page at a time: the run's start, then s0's ticket queued, then nothing more
        JsonNode first = baton.get("/api/runs/" + id + "/history?limit=1").body();
        assertThat(first).hasSize(1);
        assertThat(first.at("/0/status").asText()).isEqualTo("RUN_RUNNING");
        int seq = first.at("/0/seq").asInt();
        JsonNode second =
                baton.get("/api/runs/" + id + "/history?limit=1&after=" + seq).body();
        assertThat(second).hasSize(1);
        assertThat(second.at("/0/seq").asInt()).isGreaterThan(seq);
        assertThat(second.at("/0/stage").asText()).isEqualTo("s0");
        JsonNode events = baton.get("/api/runs/" + id + "/events?after=" + seq).body();
        assertThat(events.findValuesAsText("seq"))
                .containsExactly(second.at("/0/seq").asText());
    }
}
