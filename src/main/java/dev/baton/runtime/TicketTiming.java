package dev.baton.runtime;

import dev.baton.ticket.TicketRow;
import dev.baton.ticket.TicketStatus;
import java.time.Duration;
import java.time.Instant;

/**
 * Records the queue-wait and processing-time of each attempt, from when it was queued and when its agent was first
 * heard from (both kept on its ticket row). An agent that sends no progress is first heard from with its final reply: its
 * whole attempt counts as queue wait and its processing time is zero.
 */
final class TicketTiming {
    private final RunMetrics metrics;

    TicketTiming(RunMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * The agent's reply to the current attempt arrived (progress or final). Returns when the agent was first heard
     * from on this attempt: now, when this is the first time.
     */
    Instant heard(Step s, TicketRow t) {
        if (t.status() != TicketStatus.QUEUED) {
            return t.runningAt() == null ? s.now : t.runningAt();
        }
        Instant queued = t.queuedAt();
        if (queued != null) {
            metrics.queueWait(s.run.pipeline(), t.stage(), t.agent(), Duration.between(queued, s.now));
        }
        return s.now;
    }

    /** The agent's final reply to the attempt: succeeded, failed for good, or failed and retried. */
    void done(Step s, TicketRow t, Instant heardSince, RunMetrics.Outcome outcome) {
        metrics.processing(s.run.pipeline(), t.stage(), t.agent(), outcome, Duration.between(heardSince, s.now));
    }

    RunMetrics metrics() {
        return metrics;
    }
}
