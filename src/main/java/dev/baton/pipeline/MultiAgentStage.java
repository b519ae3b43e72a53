package dev.baton.pipeline;

import java.util.List;

/**
 * A stage sent to several agents at once (recipient list); their replies are aggregated by {@code strategy}.
 *
 * @param voteOn JSONPath into each agent's output that is its ballot (vote and quorum), or null for the whole output
 * @param quorum ballots that must agree for {@code quorum}; 0 means a strict majority of the agents
 */
public record MultiAgentStage(
        StageBase base, List<String> agents, AggregateStrategy strategy, String voteOn, int quorum) implements Stage {

    /** The number of agreeing ballots that decides a quorum stage. */
    public int quorumSize() {
        return quorum > 0 ? quorum : agents.size() / 2 + 1;
    }

    @Override
    public <R> R accept(StageVisitor<R> visitor) {
        return visitor.multiAgent(this);
    }
}
