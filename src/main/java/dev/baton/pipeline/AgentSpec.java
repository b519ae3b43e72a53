package dev.baton.pipeline;

import java.util.List;

/** An agent as a pipeline declares it under {@code spec.agents}; merged with the registry at run time. */
public record AgentSpec(String name, String role, List<String> capabilities, Integer maxConcurrency, Location location) {}
