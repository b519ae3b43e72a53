package dev.baton.tracing;

import java.time.Instant;

/**
 * A run that ended, as its span says it: from its creation to its final status.
 *
 * @param status the final status ({@code SUCCEEDED}, {@code FAILED}, {@code COMPENSATED}, {@code CANCELLED})
 * @param error why it failed, or null
 */
public record RunSpan(
        String runId, String pipeline, String revision, String status, String error, Instant start, Instant end) {}
