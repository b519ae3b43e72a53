package dev.baton.runtime;

import dev.baton.ticket.AttemptFailures;
import dev.baton.ticket.Rows.StageRow;
import dev.baton.ticket.TicketRow;
import dev.baton.ticket.Tx;
import dev.baton.tracing.AttemptSpan;
import dev.baton.tracing.RunSpan;
import dev.baton.tracing.StageSpan;
import dev.baton.tracing.Tracing;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Turns a step's ends (of the run, a stage, a ticket attempt) into spans, emitted once its transaction has committed,
 * and names the span a dispatched ticket's agent works under. With tracing off every method returns at once.
 */
final class RunTraces {
    private final Tracing tracing;
    private final AttemptFailures failures = new AttemptFailures();

    RunTraces(Tracing tracing) {
        this.tracing = tracing;
    }

    /** The {@code traceparent} of the ticket's attempt {@code attempt}, or null when tracing is off. */
    String traceparent(Step s, TicketRow t, int attempt) {
        return tracing.traceparent(s.run.id(), t.id(), attempt);
    }

    /** The run ends in this step: from its creation to now. */
    void runEnded(Step s) {
        if (!tracing.on()) return;
        RunSpan span = new RunSpan(
                s.run.id(), s.run.pipeline(), s.run.revision(), s.status.name(), s.error, s.run.createdAt(), s.now);
        Tx.afterCommit(() -> tracing.run(span));
    }

    /** A stage ended in this step; one skipped before it started starts and ends now. */
    void stageEnded(Step s, StageRow row, RunMetrics.Outcome outcome) {
        if (!tracing.on()) return;
        StageSpan span = new StageSpan(
                s.run.id(),
                s.run.pipeline(),
                row.name(),
                row.iteration(),
                outcome.label(),
                row.error(),
                row.startedAt() == null ? s.now : row.startedAt(),
                s.now);
        Tx.afterCommit(() -> tracing.stage(span));
    }

    /**
     * An attempt of an agent's ticket ended in this step: from when it became deliverable (as its row said before the
     * next attempt, if any, was dispatched) to now; a failure says why, as the FAILED row this step wrote does.
     */
    void attemptEnded(Step s, TicketRow t, RunMetrics.Outcome outcome, boolean failure) throws SQLException {
        if (!tracing.on()) return;
        StageRow stage = t.compensation() ? null : s.stages.get(t.stage());
        Instant start = t.queuedAt() == null ? t.updatedAt() : t.queuedAt();
        if (failure) {
            s.flushHistory(); // the attempt's FAILED row, recorded by this step, says why
        }
        AttemptSpan span = new AttemptSpan(
                s.run.id(),
                s.run.pipeline(),
                t.stage(),
                t.iteration(),
                stage == null ? null : stage.startedAt(),
                t.id(),
                t.item(),
                t.agent(),
                t.attempt(),
                outcome.label(),
                failure ? failures.reason(s.c, t.id(), t.attempt()).orElse(outcome.label()) : null,
                start.isAfter(s.now) ? s.now : start,
                s.now);
        Tx.afterCommit(() -> tracing.attempt(span));
    }
}
