package dev.baton.cli;

import dev.baton.pipeline.AgentStage;
import dev.baton.pipeline.ApprovalStage;
import dev.baton.pipeline.Durations;
import dev.baton.pipeline.ForEachStage;
import dev.baton.pipeline.LoopStage;
import dev.baton.pipeline.MultiAgentStage;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.Stage;
import dev.baton.pipeline.StageVisitor;
import dev.baton.pipeline.validate.Dag;
import java.util.Map;

/** One line of plain text per stage, saying who does the work and how, for {@code dry-run} and the graph labels. */
final class StageSummary {
    private StageSummary() {}

    /**
     * What the stage does, then {@code if <condition>} and {@code compensate: <agent>} when it has them; e.g.
     * {@code agents critic-a, critic-b (vote on $.verdict)  if draft.ok == true  compensate: writer}.
     */
    static String describe(Stage stage) {
        StringBuilder line = new StringBuilder(work(stage));
        if (stage.base().condition() != null) {
            line.append("  if ").append(stage.base().condition());
        }
        if (stage.base().compensate() != null) {
            line.append("  compensate: ").append(stage.base().compensate().agent());
        }
        return line.toString();
    }

    /** How the replies of a multi-agent stage are combined: {@code vote on $.verdict}, {@code quorum 2 of 3}, ... */
    static String aggregation(MultiAgentStage stage) {
        String on = stage.voteOn() == null ? "" : " on " + stage.voteOn();
        return switch (stage.strategy()) {
            case VOTE -> "vote" + on;
            case QUORUM ->
                "quorum " + stage.quorumSize() + " of " + stage.agents().size() + on;
            case ALL, ANY, FIRST, MERGE -> "aggregate " + stage.strategy().yaml();
        };
    }

    /** {@code at most 5 iterations}, and what happens when they are used up if that is not failing. */
    static String iterations(LoopStage loop) {
        return "at most " + loop.maxIterations() + " iteration" + (loop.maxIterations() == 1 ? "" : "s")
                + (loop.continueAtMax() ? ", then continue" : "");
    }

    private static String work(Stage stage) {
        return stage.accept(new StageVisitor<>() {
            @Override
            public String agent(AgentStage s) {
                return s.selector() == null ? "agent " + s.agent() : "agentSelector " + s.selector();
            }

            @Override
            public String multiAgent(MultiAgentStage s) {
                return "agents " + String.join(", ", s.agents()) + " (" + aggregation(s) + ")";
            }

            @Override
            public String forEach(ForEachStage s) {
                return "for_each over " + s.items()
                        + (s.maxParallel() > 0 ? ", " + s.maxParallel() + " at a time" : "")
                        + ", agent " + s.template().agent()
                        + (s.continueOnError() ? ", continue on error" : "");
            }

            @Override
            public String approval(ApprovalStage s) {
                return StageSummary.approval(s);
            }

            @Override
            public String loop(LoopStage s) {
                return "loop until '" + s.until() + "', " + iterations(s) + ": "
                        + String.join(" -> ", Dag.topologicalOrder(inner(s)));
            }
        });
    }

    /** {@code approval by alice, bob (any), timeout 1h then reject}. */
    static String approval(ApprovalStage s) {
        String who = s.approvers().isEmpty() ? "anyone" : String.join(", ", s.approvers());
        String policy = s.policy() == ApprovalStage.Policy.QUORUM
                ? "quorum " + s.quorum()
                : s.policy().yaml();
        String timeout = s.timeout() == null
                ? ""
                : ", timeout " + Durations.format(s.timeout()) + " then "
                        + (s.approveOnTimeout() ? "approve" : "reject");
        return "approval by " + who + " (" + policy + ")" + timeout;
    }

    /** The loop's stages as a pipeline of their own, which is what they are: a DAG whose names are local to it. */
    static Pipeline inner(LoopStage loop) {
        return new Pipeline(null, loop.name(), null, null, null, null, Map.of(), Map.of(), loop.stages());
    }
}
