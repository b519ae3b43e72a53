package dev.baton.pipeline;

import java.time.Duration;

/**
 * The saga step that undoes a stage: a ticket for {@code agent}, with its own retries and lease.
 *
 * @param input JSONPath into the run context, or null for the stage's own output
 * @param timeout lease per attempt, or null for none
 */
public record Compensation(String agent, String input, RetryPolicy retry, Duration timeout) {}
