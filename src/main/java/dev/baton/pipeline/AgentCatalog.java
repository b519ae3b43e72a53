package dev.baton.pipeline;

import java.util.Set;

/** The agents known outside a pipeline file (config/agents.yaml, the live registry), so a pipeline may name them. */
@FunctionalInterface
public interface AgentCatalog {
    boolean knows(String agent);

    /** A catalog that accepts every name; for tools that check a file without knowing the deployment. */
    static AgentCatalog any() {
        return agent -> true;
    }

    static AgentCatalog of(Set<String> agents) {
        Set<String> known = Set.copyOf(agents);
        return agent -> agent != null && known.contains(agent);
    }

    /** A catalog that knows nothing, so only the pipeline's own {@code spec.agents} count. */
    static AgentCatalog none() {
        return agent -> false;
    }
}
