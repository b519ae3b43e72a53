package dev.baton.pipeline;

import java.util.List;

/**
 * {@code agentSelector}: the stage goes to whichever agent has every capability (and the role, when one is given)
 * and is healthy and least loaded when the ticket is dispatched.
 *
 * @param role the role the agent must have, or null for any
 */
public record AgentSelector(List<String> capabilities, String role) {
    public AgentSelector {
        capabilities = List.copyOf(capabilities);
    }

    /** Whether an agent with this role and these capabilities can take the stage. */
    public boolean matches(String agentRole, List<String> agentCapabilities) {
        return (role == null || role.equals(agentRole))
                && agentCapabilities != null
                && agentCapabilities.containsAll(capabilities);
    }

    /** {@code {capabilities: [a, b], role: r}}, as it was written. */
    @Override
    public String toString() {
        String caps = capabilities.isEmpty() ? null : "capabilities: [" + String.join(", ", capabilities) + "]";
        String r = role == null ? null : "role: " + role;
        return "{" + (caps == null ? r : r == null ? caps : caps + ", " + r) + "}";
    }
}
