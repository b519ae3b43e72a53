package dev.baton.pipeline;

import java.util.List;

/**
 * A stage that runs its inner stages again and again until {@code until} holds; every iteration's tickets are new.
 *
 * @param until expression over the run context, evaluated after each iteration
 * @param continueAtMax whether reaching {@code maxIterations} completes the stage instead of failing it
 * @param stages the inner stages (a DAG of their own; names are local to the loop)
 */
public record LoopStage(StageBase base, String until, int maxIterations, boolean continueAtMax, List<Stage> stages)
        implements Stage {

    @Override
    public <R> R accept(StageVisitor<R> visitor) {
        return visitor.loop(this);
    }
}
