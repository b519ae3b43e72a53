package dev.baton.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.pipeline.AgentSpec;
import java.util.List;

/**
 * One agent as the registry knows it.
 *
 * @param priority default JMS priority (0-9) of its tickets when the stage sets none, or null
 * @param demo set for the demo kind only
 * @param options the entry as written, for the options of the other kinds (llm, http: model, url, and credentials
 *     by reference to an environment variable such as {@code apiKeyEnv}; never the secret itself)
 */
public record AgentConfig(String name, AgentKind kind, String role, List<String> capabilities,
        Integer maxConcurrency, Integer priority, DemoOptions demo, JsonNode options) {

    public AgentConfig(String name, AgentKind kind, String role, List<String> capabilities, Integer maxConcurrency,
            DemoOptions demo) {
        this(name, kind, role, capabilities, maxConcurrency, null, demo, null);
    }

    /** The same settings under another name (the registry's default for an agent it does not list). */
    AgentConfig named(String other) {
        return new AgentConfig(other, kind, role, capabilities, maxConcurrency, priority, demo, options);
    }

    /** What a pipeline validator and the selector need to know of this agent. */
    public AgentSpec spec() {
        return new AgentSpec(name, role, capabilities, maxConcurrency, priority, null);
    }
}
