package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Tokens one reply reported, and what they cost when the agent's model has a price.
 *
 * @param total the reply's {@code totalTokens} or prompt + completion, whichever is larger: an agent that reports
 *     a total below its own parts does not spend less
 * @param costUsd null when the agent's model has no price
 */
record TokenUsage(long prompt, long completion, long total, Double costUsd) {
    /** Reads the counters of a reply's (already checked) usage object. */
    static TokenUsage of(JsonNode usage, Double costUsd) {
        long prompt = usage.path("promptTokens").asLong(0);
        long completion = usage.path("completionTokens").asLong(0);
        long total = Math.max(usage.path("totalTokens").asLong(0), prompt + completion);
        return new TokenUsage(prompt, completion, total, costUsd);
    }
}
