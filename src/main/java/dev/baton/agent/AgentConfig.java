package dev.baton.agent;

import java.util.List;

/**
 * One agent as the registry knows it; {@code demo}, {@code llm} and {@code http} are set for their kind only.
 *
 * @param maxConcurrency the most tickets in flight at once (the queue's max-consumers), or null for no limit
 * @param priority JMS priority 0-9 of its tickets for stages that set none, or null (then 4)
 */
public record AgentConfig(
        String name,
        AgentKind kind,
        String role,
        List<String> capabilities,
        Integer maxConcurrency,
        DemoOptions demo,
        LlmOptions llm,
        HttpOptions http,
        Integer priority) {}
