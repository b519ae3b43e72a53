package dev.baton.runtime;

import dev.baton.ticket.TicketRow;
import dev.baton.ticket.TicketStatus;
import dev.baton.ticket.TicketTimes;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;

/**
 * Keeps when a ticket attempt was queued and when its agent was first heard from, and records the queue-wait and
 * processing-time of each attempt. An agent that sends no progress is first heard from with its final reply: its
 * whole attempt counts as queue wait and its processing time is zero.
 */
final class TicketTiming {
    private final TicketTimes times;
    private final RunMetrics metrics;

    TicketTiming(TicketTimes times, RunMetrics metrics) {
        this.times = times;
        this.metrics = metrics;
    }

    /** An attempt was dispatched, to be delivered at {@code deliverAt}. */
    void queued(Step s, TicketRow t, Instant deliverAt) throws SQLException {
        times.queued(s.c, t.id(), deliverAt);
    }

    /**
     * The agent's reply to the current attempt arrived (progress or final). Returns when the agent was first heard
     * from on this attempt: now, when this is the first time.
     */
    Instant heard(Step s, TicketRow t, boolean progress) throws SQLException {
        if (t.status() != TicketStatus.QUEUED) {
            return times.runningSince(s.c, t.id()).orElse(s.now);
        }
        Instant queued = progress
                ? times.running(s.c, t.id(), s.now).orElse(null)
                : times.queuedAt(s.c, t.id()).orElse(null);
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
