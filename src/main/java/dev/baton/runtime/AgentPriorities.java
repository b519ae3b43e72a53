package dev.baton.runtime;

/** The default JMS priority of an agent's tickets (its {@code priority} in the registry), for stages that set none. */
@FunctionalInterface
public interface AgentPriorities {
    /** The agent's priority 0-9, or null when it has none. */
    Integer of(String agent);

    static AgentPriorities none() {
        return agent -> null;
    }
}
