package dev.baton.pipeline;

/** A stage done by one named agent: one ticket per attempt. */
public record AgentStage(StageBase base, String agent) implements Stage {
    @Override
    public <R> R accept(StageVisitor<R> visitor) {
        return visitor.agent(this);
    }
}
