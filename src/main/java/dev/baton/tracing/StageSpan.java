package dev.baton.tracing;

import java.time.Instant;

/**
 * One execution of a stage that ended, as its span says it.
 *
 * @param stage the stage's qualified name ({@code loop/inner} inside a loop)
 * @param iteration the loop iteration (0 outside a loop)
 * @param outcome how it ended, as the metrics' {@code outcome} label says it
 * @param start when it started; a stage skipped before it started starts and ends at once
 */
public record StageSpan(
        String runId,
        String pipeline,
        String stage,
        int iteration,
        String outcome,
        String error,
        Instant start,
        Instant end) {}
