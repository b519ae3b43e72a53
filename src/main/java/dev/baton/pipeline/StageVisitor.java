package dev.baton.pipeline;

/**
 * One method per stage kind. On Java 17 a pattern {@code switch} over the sealed {@link Stage} is a preview
 * feature, so this visitor is what makes a new stage kind fail to compile everywhere it is not handled yet.
 */
public interface StageVisitor<R> {
    R agent(AgentStage stage);

    R multiAgent(MultiAgentStage stage);

    R forEach(ForEachStage stage);

    R loop(LoopStage stage);

    R approval(ApprovalStage stage);
}
