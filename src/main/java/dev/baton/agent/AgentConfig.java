package dev.baton.agent;

import dev.baton.pipeline.AgentSpec;
import java.util.List;

/**
 * One agent as the registry knows it; {@code demo} is set for the demo kind only. The options of the other kinds
 * (llm, http: model, url, credentials by the name of an environment variable such as {@code apiKeyEnv}, never the
 * secret itself) belong beside it, one typed record per kind.
 *
 * @param priority default JMS priority (0-9) of its tickets when the stage sets none, or null
 */
public record AgentConfig(String name, AgentKind kind, String role, List<String> capabilities,
        Integer maxConcurrency, Integer priority, DemoOptions demo) {

    /** The same settings under another name (the registry's default for an agent it does not list). */
    AgentConfig named(String other) {
        return new AgentConfig(other, kind, role, capabilities, maxConcurrency, priority, demo);
    }

    /** What a pipeline validator and the selector need to know of this agent. */
    public AgentSpec spec() {
        return new AgentSpec(name, role, capabilities, maxConcurrency, priority, null);
    }
}
