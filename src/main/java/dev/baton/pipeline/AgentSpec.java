package dev.baton.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * An agent as a pipeline declares it under {@code spec.agents} (or as the registry lists it); merged with the
 * registry at run time: what {@code config/agents.yaml} says about an agent wins, the pipeline fills the rest.
 *
 * @param priority the JMS priority (0-9) its tickets get when the stage does not say, or null
 * @param declaration the whole entry as JSON when it says more than role, capabilities, maxConcurrency and priority
 *     (a {@code kind} and that kind's options), read by the agent registry; null otherwise
 */
public record AgentSpec(
        String name,
        String role,
        List<String> capabilities,
        Integer maxConcurrency,
        Integer priority,
        Location location,
        JsonNode declaration) {
    public AgentSpec(String name, String role, List<String> capabilities, Integer maxConcurrency, Location location) {
        this(name, role, capabilities, maxConcurrency, null, location, null);
    }

    public AgentSpec(
            String name,
            String role,
            List<String> capabilities,
            Integer maxConcurrency,
            Integer priority,
            Location location) {
        this(name, role, capabilities, maxConcurrency, priority, location, null);
    }

    /** This agent with the gaps filled from {@code other} (same name): this one's values win. */
    public AgentSpec mergedWith(AgentSpec other) {
        if (other == null) {
            return this;
        }
        return new AgentSpec(
                name,
                role != null ? role : other.role(),
                capabilities != null && !capabilities.isEmpty() ? capabilities : other.capabilities(),
                maxConcurrency != null ? maxConcurrency : other.maxConcurrency(),
                priority != null ? priority : other.priority(),
                location != null ? location : other.location(),
                declaration != null ? declaration : other.declaration());
    }
}
