package dev.baton.tracing;

import java.time.Instant;

/**
 * One attempt of an agent's ticket that ended, as its span says it: from the attempt being deliverable on the agent's
 * queue to its end.
 *
 * @param stageStartedAt when the ticket's stage started, which names the parent span; null for a ticket that is not
 *     part of a running stage (a compensation): its parent is the run
 * @param item the for_each item, or -1
 * @param outcome how it ended, as the metrics' {@code outcome} label says it
 * @param failure why the attempt failed or timed out, or null when it did not (one retried because its agent instance
 *     went away did not fail)
 */
public record AttemptSpan(
        String runId,
        String pipeline,
        String stage,
        int iteration,
        Instant stageStartedAt,
        String ticketId,
        int item,
        String agent,
        int attempt,
        String outcome,
        String failure,
        Instant start,
        Instant end) {}
