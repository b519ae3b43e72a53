package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.pipeline.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The watch view's arithmetic and drawing, on run documents shaped as {@code GET /api/runs/{id}} answers them. */
class ProgressViewTest {
    private static final Instant NOW = Instant.parse("2026-11-30T10:00:40Z");

    private static final JsonNode RUN = Json.parse("""
            {"id": "r1", "pipeline": "p", "status": "RUNNING", "createdAt": "2026-11-30T10:00:00Z", "finishedAt": null,
             "stages": [
              {"name": "each", "status": "RUNNING", "startedAt": "2026-11-30T10:00:20Z", "finishedAt": null,
               "items": {"total": 4, "dispatched": 2, "done": 1}, "tickets": []},
              {"name": "fan", "status": "SUCCEEDED", "startedAt": "2026-11-30T10:00:00Z", "finishedAt": "2026-11-30T10:00:20Z",
               "tickets": [{"purpose": "work", "status": "SUCCEEDED"}, {"purpose": "work", "status": "CANCELLED"},
                           {"purpose": "compensate", "status": "QUEUED"}]},
              {"name": "refine", "status": "RUNNING", "iteration": 2, "startedAt": "2026-11-30T10:00:20Z", "tickets": []},
              {"name": "refine/draft", "status": "SUCCEEDED", "iteration": 2,
               "tickets": [{"purpose": "work", "iteration": 1, "status": "SUCCEEDED"},
                           {"purpose": "work", "iteration": 2, "status": "SUCCEEDED"}]},
              {"name": "refine/critique", "status": "RUNNING", "iteration": 2,
               "tickets": [{"purpose": "work", "iteration": 1, "status": "SUCCEEDED"},
                           {"purpose": "work", "iteration": 2, "status": "RUNNING"}]},
              {"name": "gate", "status": "WAITING_APPROVAL", "tickets": []}
             ]}
            """);

    @Test
    void countsItemsFanOutTicketsAndTheLoopsCurrentIterationWithAnEtaFromTheRateSoFar() {
        JsonNode stages = RUN.path("stages");
        StageProgress each = StageProgress.of(stages.get(0), stages, NOW);
        assertThat(each.done()).isEqualTo(1);
        assertThat(each.total()).isEqualTo(4);
        assertThat(each.elapsed()).isEqualTo(Duration.ofSeconds(20));
        assertThat(each.eta()).as("1 item in 20 s, 3 to go").isEqualTo(Duration.ofSeconds(60));

        StageProgress fan = StageProgress.of(stages.get(1), stages, NOW);
        assertThat(fan.done()).isEqualTo(2);
        assertThat(fan.total()).as("work tickets only, not the compensation").isEqualTo(2);
        assertThat(fan.eta()).isNull();

        StageProgress loop = StageProgress.of(stages.get(2), stages, NOW);
        assertThat(loop.done()).as("its inner stages, in the current iteration").isEqualTo(1);
        assertThat(loop.total()).isEqualTo(2);
        assertThat(loop.iteration()).isEqualTo(2);

        StageProgress gate = StageProgress.of(stages.get(5), stages, NOW);
        assertThat(gate.done()).isZero();
        assertThat(gate.total()).isEqualTo(1);
        assertThat(gate.elapsed()).isNull();
    }

    @Test
    void rendersABarPerStageAndTheRunsTotal() {
        ProgressView.Block block = ProgressView.render(RUN, NOW);
        // top-level stages only: each 1/4, fan 2/2, refine 1/2, gate 0/1 = 4/9
        assertThat(block.lines().get(0))
                .isEqualTo("run r1  pipeline p  RUNNING  [########------------]  44%  elapsed 40s  ETA 50s");
        assertThat(block.lines().get(1))
                .isEqualTo(
                        "  each                 RUNNING          [#####---------------]  25%     1/4  20s  ETA 1m00s");
        assertThat(block.lines().get(2))
                .isEqualTo("  fan                  SUCCEEDED        [####################] 100%     2/2  20s");
        assertThat(block.lines().get(3)).endsWith("  50%     1/2  20s  ETA 20s  iteration 2");
        assertThat(block.lines().get(6))
                .startsWith("  gate                 WAITING_APPROVAL [--------------------]   0%     0/1");
        assertThat(ProgressView.render(RUN, NOW.plusSeconds(5)).state())
                .as("the clock alone is no news")
                .isEqualTo(block.state());
    }

    @Test
    void redrawsInPlaceOnATerminalAndAsNewBlocksElsewhere() {
        ProgressView.Block one = new ProgressView.Block(java.util.List.of("a", "b"), "1");
        ProgressView.Block two = new ProgressView.Block(java.util.List.of("c", "d", "e"), "2");

        StringWriter ansi = new StringWriter();
        Redraw terminal = new Redraw(new PrintWriter(ansi), true);
        terminal.draw(one);
        terminal.draw(two);
        terminal.draw(two);
        assertThat(ansi.toString()).isEqualTo("a\nb\n\u001b[2F\u001b[Jc\nd\ne\n\u001b[3F\u001b[Jc\nd\ne\n");

        StringWriter plain = new StringWriter();
        Redraw pipe = new Redraw(new PrintWriter(plain), false);
        pipe.draw(one);
        pipe.draw(one);
        pipe.draw(two);
        assertThat(plain.toString()).isEqualTo("a\nb\n\nc\nd\ne\n");
    }
}
