package dev.baton.agent;

import dev.baton.agent.protocol.Usage;

/**
 * Why a built-in agent could not do a ticket, and whether another attempt may succeed: the two kinds of failure the
 * reply protocol tells apart ({@code error.retryable}).
 */
public final class AgentFailure extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean retryable;
    private transient Usage usage;
    private transient com.fasterxml.jackson.databind.node.ArrayNode toolCalls;

    private AgentFailure(String message, boolean retryable) {
        super(message, null, false, false);
        this.retryable = retryable;
    }

    /** Another attempt may succeed: a timeout, a refused connection, a 429 or a 5xx. */
    public static AgentFailure retryable(String message) {
        return new AgentFailure(message, true);
    }

    /** Another attempt would fail the same way: a rejected request, a missing credential, an answer of the wrong shape. */
    public static AgentFailure permanent(String message) {
        return new AgentFailure(message, false);
    }

    /** This failure, reporting the tokens the attempt spent (e.g. on an answer that was unusable). */
    public AgentFailure withUsage(Usage tokens) {
        this.usage = tokens;
        return this;
    }

    /** This failure, reporting the tool calls the attempt made before it failed. */
    public AgentFailure withToolCalls(com.fasterxml.jackson.databind.node.ArrayNode calls) {
        this.toolCalls = calls;
        return this;
    }

    /** The tool calls to report with the failure, or null. */
    public com.fasterxml.jackson.databind.node.ArrayNode toolCalls() {
        return toolCalls;
    }

    /** The token usage to report with the failure, or null. */
    public Usage usage() {
        return usage;
    }

    public boolean retryable() {
        return retryable;
    }
}
