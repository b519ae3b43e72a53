package dev.baton.agent;

import java.util.List;

/**
 * One agent as the registry knows it; {@code demo}, {@code llm} and {@code http} are set for their kind only.
 */
public record AgentConfig(
        String name,
        AgentKind kind,
        String role,
        List<String> capabilities,
        Integer maxConcurrency,
        DemoOptions demo,
        LlmOptions llm,
        HttpOptions http) {}
