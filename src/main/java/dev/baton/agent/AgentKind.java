package dev.baton.agent;

/** The built-in kinds of agent (README: The agent protocol). */
public enum AgentKind {
    /** A process of its own that reads its queue; Baton only sends it tickets. */
    EXTERNAL,
    /** Deterministic, in-process: for the examples and tests. */
    DEMO,
    /** In-process: an OpenAI-compatible chat-completions endpoint, through LangChain4j. */
    LLM,
    /** In-process: POSTs the ticket to a URL and takes the answer as the output. */
    HTTP,
    /** In-process: a Camel route that sends the ticket's input to any Camel endpoint URI and replies with its answer. */
    CAMEL,
    /** In-process: calls one tool on an MCP server (stdio or streamable HTTP) per ticket. */
    MCP
}
