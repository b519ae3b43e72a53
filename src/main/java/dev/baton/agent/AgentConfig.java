package dev.baton.agent;

import dev.baton.pipeline.AgentSpec;
import java.util.List;

/**
 * One agent as the registry knows it; {@code demo}, {@code llm}, {@code http}, {@code camel} and {@code mcp} are set for their kind only (their
 * credentials by the name of an environment variable such as {@code apiKeyEnv}, never the secret itself).
 *
 * @param maxConcurrency the most tickets in flight at once (the queue's max-consumers), or null for no limit
 * @param priority default JMS priority (0-9) of its tickets when the stage sets none, or null (then 4)
 */
public record AgentConfig(
        String name,
        AgentKind kind,
        String role,
        List<String> capabilities,
        Integer maxConcurrency,
        Integer priority,
        DemoOptions demo,
        LlmOptions llm,
        HttpOptions http,
        CamelOptions camel,
        McpOptions mcp) {

    /** The same settings under another name (the registry's default for an agent it does not list). */
    AgentConfig named(String other) {
        return new AgentConfig(other, kind, role, capabilities, maxConcurrency, priority, demo, llm, http, camel, mcp);
    }

    /** What a pipeline validator and the selector need to know of this agent. */
    public AgentSpec spec() {
        return new AgentSpec(name, role, capabilities, maxConcurrency, priority, null);
    }
}
