package dev.baton.runtime;

import dev.baton.compile.PipelineCatalog;
import dev.baton.pipeline.Pipeline;
import dev.baton.ticket.Rows.Outgoing;
import dev.baton.ticket.Rows.RunRow;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.TicketRow;
import dev.baton.ticket.Tx;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Loads a locked run as the {@link Step} an event is applied to, with its pinned revision's routes in place, and
 * saves it once the event has been applied.
 */
final class RunSteps {
    /** The engine's logger, as before these events had classes of their own: log filters and the docs name it. */
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RunEngine.class);

    private final Tx tx;
    private final RunStore store;
    private final PipelineCatalog pipelines;
    private final Clock clock;
    private final Stages stages;
    private final RouteCalls calls;
    private final RunEngine.Reporting reporting;
    private final RunEngine.Revisions revisions;

    /** Where a step's pipeline and routes come from, and what its end is reported to. */
    record Sources(PipelineCatalog pipelines, RunEngine.Revisions revisions, RunEngine.Reporting reporting) {}

    RunSteps(Tx tx, Clock clock, Sources sources, Stages stages, RouteCalls calls) {
        this.tx = tx;
        this.store = stages.tickets().store();
        this.pipelines = sources.pipelines();
        this.clock = clock;
        this.stages = stages;
        this.calls = calls;
        this.reporting = sources.reporting();
        this.revisions = sources.revisions();
    }

    Tx tx() {
        return tx;
    }

    RunStore store() {
        return store;
    }

    Clock clock() {
        return clock;
    }

    PipelineCatalog pipelines() {
        return pipelines;
    }

    RunEngine.Reporting reporting() {
        return reporting;
    }

    /** Writes the step's run row; a run that ends here is counted and, if it was submitted over JMS, answered. */
    void save(Step s) throws SQLException {
        calls.drain(s);
        s.save();
        if (s.status.terminal() && s.status != s.run.status()) {
            reporting.metrics().runEnded(s.run.pipeline(), s.status);
            reporting.metrics().traces().runEnded(s);
            reporting.replies().ended(s);
        }
    }

    Step lockedRun(Connection c, String runId) throws SQLException {
        RunRow run = store.lockRun(c, runId)
                .orElseThrow(() -> new RefusedException(404, "run " + runId + " does not exist"));
        try {
            return step(c, run);
        } catch (UnloadableRevisionException e) {
            throw new RefusedException(409, e.getMessage()); // rolled back: the run's next event fails it
        }
    }

    /**
     * Applies an event in one transaction (the one this thread is in, if any). When the run's pinned revision can no
     * longer be compiled, the run has been failed in that transaction instead, and its messages are sent.
     */
    List<Outgoing> events(Tx.Work<List<Outgoing>> work) {
        return tx.join(c -> {
            try {
                return work.apply(c);
            } catch (UnloadableRevisionException e) {
                return e.outgoing();
            }
        });
    }

    /**
     * {@link #lockedRun} for a timer of Baton's own (lease, deadline, approval timeout, instance DOWN): empty when the
     * ticket or its run no longer exists, because the run finished and retention deleted it before the timer came due
     * (or while this waited for the run's lock, which the deletion holds). Nothing is left to apply it to. An agent's
     * reply for an unknown ticket is still dead-lettered: that is input from outside.
     */
    Optional<Step> timerStep(Connection c, String ticketId) throws SQLException {
        Optional<TicketRow> unlocked = store.ticketRows().ticket(c, ticketId);
        Optional<RunRow> run = unlocked.isEmpty()
                ? Optional.empty()
                : store.lockRun(c, unlocked.get().runId());
        if (run.isEmpty()) {
            LOG.debug("ticket {} no longer exists (its run was deleted): timer ignored", ticketId);
            return Optional.empty();
        }
        return Optional.of(step(c, run.get()));
    }

    /** The step of a locked run; its time is read after the lock, so a run's history is in time order. */
    Step step(Connection c, RunRow run) throws SQLException {
        LogContext.runIs(run.id());
        Instant now = clock.instant();
        Pipeline p;
        try {
            p = pipelines.pinned(c, run.pipeline(), run.revision());
            ensureRoutes(p);
        } catch (IllegalStateException | CompileException e) {
            // Redelivering its events would never help: the run fails, saying which revision and why.
            Step s = new Step(c, store, now, null, run, store.stageRows().stages(c, run.id()));
            String why = "revision " + run.revision().substring(0, 12) + " of pipeline '" + run.pipeline()
                    + "' can no longer be compiled: " + e.getMessage();
            if (!run.status().terminal()) {
                stages.abandon(s, why);
                s.save();
            }
            throw new UnloadableRevisionException(why, s.outgoing);
        }
        return new Step(c, store, now, p, run, store.stageRows().stages(c, run.id()));
    }

    /** A revision whose routes cannot be added to the CamelContext. */
    static final class CompileException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CompileException(Exception cause) {
            super(cause.getMessage(), cause);
        }
    }

    void ensureRoutes(Pipeline p) {
        try {
            revisions.ensure(p);
        } catch (Exception e) {
            throw new CompileException(e);
        }
    }
}
