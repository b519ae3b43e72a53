package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Tokens one reply reported, and what they cost when the agent's model has a price.
 *
 * @param total the reply's {@code totalTokens}, or prompt + completion when it gave no total
 * @param costUsd null when the agent's model has no price
 */
record TokenUsage(long prompt, long completion, long total, Double costUsd) {
    /** Reads the counters of a reply's (already checked) usage object. */
    static TokenUsage of(JsonNode usage, Double costUsd) {
        long prompt = usage.path("promptTokens").asLong(0);
        long completion = usage.path("completionTokens").asLong(0);
        long total = usage.hasNonNull("totalTokens") ? usage.get("totalTokens").asLong() : prompt + completion;
        return new TokenUsage(prompt, completion, total, costUsd);
    }
}
