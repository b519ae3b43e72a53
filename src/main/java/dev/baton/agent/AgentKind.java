package dev.baton.agent;

/** The built-in kinds of agent (DESIGN §5). */
public enum AgentKind {
    /** A process of its own that reads its queue; Baton only sends it tickets. */
    EXTERNAL,
    /** Deterministic, in-process: for the examples and tests. */
    DEMO,
    LLM,
    HTTP
}
