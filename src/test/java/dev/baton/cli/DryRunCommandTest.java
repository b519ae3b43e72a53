package dev.baton.cli;

import static dev.baton.cli.GraphCommandTest.base;
import static dev.baton.cli.GraphCommandTest.compensated;
import static dev.baton.cli.GraphCommandTest.conditional;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.pipeline.AgentStage;
import dev.baton.pipeline.AggregateStrategy;
import dev.baton.pipeline.ForEachStage;
import dev.baton.pipeline.LoopStage;
import dev.baton.pipeline.MultiAgentStage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code baton dry-run}: one line per stage that says what each kind does; the command on a file is in CliTest. */
class DryRunCommandTest {
    @Test
    void printsEveryKindOnItsLine() {
        StringWriter text = new StringWriter();
        DryRunCommand.print(GraphCommandTest.EVERY_KIND, new PrintWriter(text, true));

        assertThat(text.toString()).isEqualTo("""
                pipeline every-kind (7 stages)
                order: research -> draft -> review -> rewrite -> fix-each -> refine -> publish
                wave 1:
                  research                 agent researcher
                wave 2:
                  draft                    agent writer  compensate: writer  after research
                wave 3:
                  review                   agents critic-a, critic-b, critic-c (vote on $.verdict)  after draft
                wave 4:
                  rewrite                  agent writer  if review.decision == "reject"  after review
                wave 5:
                  fix-each                 for_each over $.review.issues, 3 at a time, agent writer  after rewrite
                wave 6:
                  refine                   loop until 'critique.score >= 8', at most 5 iterations: draft -> critique  after fix-each
                    draft                  agent writer
                    critique               agent critic-a  after draft
                wave 7:
                  publish                  agent publisher  after refine
                """);
    }

    @Test
    void describesEveryStrategyAndOption() {
        assertThat(StageSummary.describe(new MultiAgentStage(
                        base("q"), List.of("a", "b", "c", "d"), AggregateStrategy.QUORUM, "$.ok", 0)))
                .isEqualTo("agents a, b, c, d (quorum 3 of 4 on $.ok)");
        assertThat(StageSummary.describe(
                        new MultiAgentStage(base("q"), List.of("a", "b", "c"), AggregateStrategy.QUORUM, null, 2)))
                .isEqualTo("agents a, b, c (quorum 2 of 3)");
        assertThat(StageSummary.describe(
                        new MultiAgentStage(base("m"), List.of("a", "b"), AggregateStrategy.MERGE, null, 0)))
                .isEqualTo("agents a, b (aggregate merge)");
        assertThat(StageSummary.describe(new ForEachStage(
                        compensated(base("f"), "undo"),
                        "$.items",
                        0,
                        new ForEachStage.ItemTemplate(null, "w", null),
                        true)))
                .isEqualTo("for_each over $.items, agent w, continue on error  compensate: undo");
        // Inner stages in run order, not file order.
        assertThat(StageSummary.describe(new LoopStage(
                        conditional(base("l"), "x > 1"),
                        "y",
                        1,
                        true,
                        List.of(new AgentStage(base("b", "a"), "w"), new AgentStage(base("a"), "w")))))
                .isEqualTo("loop until 'y', at most 1 iteration, then continue: a -> b  if x > 1");
    }

    @Test
    void showsTheScheduleWithItsNextFireTime() {
        var loaded =
                dev.baton.pipeline.load.PipelineLoader.read("""
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: digest}
                spec:
                  params: {topic: {required: true}}
                  schedule: {cron: "0 0 9 * * ? 2099", timezone: Europe/Paris, params: {topic: news}, missed: once}
                  pipeline:
                    stages:
                      - {name: draft, agent: writer}
                """, "digest.yaml", dev.baton.pipeline.AgentCatalog.any());
        StringWriter text = new StringWriter();
        DryRunCommand.print(loaded.pipeline(), new PrintWriter(text, true));

        assertThat(text.toString())
                .contains("schedule: \"0 0 9 * * ? 2099\" in Europe/Paris, params {\"topic\":\"news\"},"
                        + " missed ticks: once, next 2099-01-01T08:00:00Z\n");
    }
}
