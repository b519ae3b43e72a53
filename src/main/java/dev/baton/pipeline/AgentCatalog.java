package dev.baton.pipeline;

import java.util.List;
import java.util.Set;

/** The agents known outside a pipeline file (config/agents.yaml, the live registry), so a pipeline may name them. */
@FunctionalInterface
public interface AgentCatalog {
    boolean knows(String agent);

    /** The agents listed by name, with their role and capabilities, for {@code agentSelector} to match. */
    default List<AgentSpec> listed() {
        return List.of();
    }

    /**
     * Every problem with an agent that a pipeline declares with a {@code kind} or kind options (its
     * {@link AgentSpec#declaration()}), each at its place in {@code source}; none when this catalog cannot judge kinds.
     */
    default List<Violation> checkDeclared(AgentSpec declared, String file, String source) {
        return List.of();
    }

    /** True for a catalog that accepts every name and every selector (nothing is known about the deployment). */
    default boolean open() {
        return false;
    }

    /** A catalog that accepts every name; for tools that check a file without knowing the deployment. */
    static AgentCatalog any() {
        return new AgentCatalog() {
            @Override
            public boolean knows(String agent) {
                return true;
            }

            @Override
            public boolean open() {
                return true;
            }
        };
    }

    static AgentCatalog of(Set<String> agents) {
        Set<String> known = Set.copyOf(agents);
        return agent -> agent != null && known.contains(agent);
    }

    /** A catalog of these agents, with their capabilities. */
    static AgentCatalog of(List<AgentSpec> agents) {
        List<AgentSpec> list = List.copyOf(agents);
        return new AgentCatalog() {
            @Override
            public boolean knows(String agent) {
                return list.stream().anyMatch(a -> a.name().equals(agent));
            }

            @Override
            public List<AgentSpec> listed() {
                return list;
            }
        };
    }

    /** A catalog that knows nothing, so only the pipeline's own {@code spec.agents} count. */
    static AgentCatalog none() {
        return agent -> false;
    }
}
