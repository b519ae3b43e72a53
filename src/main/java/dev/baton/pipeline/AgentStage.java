package dev.baton.pipeline;

/**
 * A stage done by one agent: one ticket per attempt. The agent is named ({@code agent}) or chosen at each dispatch
 * by an {@code agentSelector}; exactly one of the two is set.
 */
public record AgentStage(StageBase base, String agent, AgentSelector selector) implements Stage {
    public AgentStage(StageBase base, String agent) {
        this(base, agent, null);
    }

    @Override
    public <R> R accept(StageVisitor<R> visitor) {
        return visitor.agent(this);
    }
}
