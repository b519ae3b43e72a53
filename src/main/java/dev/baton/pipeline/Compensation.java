package dev.baton.pipeline;

import java.time.Duration;

/**
 * The saga step that undoes a stage: a ticket for {@code agent}, with its own retries and lease.
 *
 * @param input JSONPath into the run context, or null for the stage's own output
 * @param retry the compensation's retries, or null for the stage's own
 * @param timeout lease per attempt, or null for the stage's own
 */
public record Compensation(String agent, String input, RetryPolicy retry, Duration timeout) {}
