package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.compile.Endpoints;
import dev.baton.compile.Scope;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.Stage;
import dev.baton.ticket.Rows.HistoryRow;
import dev.baton.ticket.Rows.StageRow;
import dev.baton.ticket.RunStatus;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.TicketRow;
import dev.baton.ticket.TicketStatus;
import java.sql.SQLException;
import java.util.List;

/**
 * The rows of a run's stages and the run's end: a stage queued, succeeded, skipped or failed (each then tells its
 * compiled {@code done} route), a scope released, the run failed, cancelled (both start compensation) or finished.
 * What follows a stage's end is decided by the compiled routes, not here.
 */
// try-with-resources whose resource is never read: its LogContext scope sets the log line's run id for the block it
// encloses.
@SuppressWarnings("try")
final class Stages {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Stages.class);
    /** How the error of a cancelled run begins. */
    static final String CANCELLED = "cancelled: ";

    private final RunStore store;
    private final Tickets tickets;
    private final Compensations compensations;

    Stages(RunStore store, Tickets tickets, Compensations compensations) {
        this.store = store;
        this.tickets = tickets;
        this.compensations = compensations;
    }

    Tickets tickets() {
        return tickets;
    }

    Compensations compensations() {
        return compensations;
    }

    static String uri(Step s, Scope scope, Stage stage, String part) {
        return Endpoints.direct(
                Endpoints.stageRoute(s.pipeline.name(), s.pipeline.revision(), scope.qualified(stage), part));
    }

    static String uri(Step s, String qualified, String part) {
        return Endpoints.direct(Endpoints.stageRoute(s.pipeline.name(), s.pipeline.revision(), qualified, part));
    }

    /** Offers every waiting stage of the scope to its join, then the scope to its end (it may have nothing to run). */
    void release(Step s, Scope scope) {
        for (Stage stage : scope.stages()) {
            if (row(s, scope, stage).status() == TicketStatus.WAITING_DEPS) {
                s.later.add(new Step.Call(uri(s, scope, stage, "join"), null));
            }
        }
        s.later.add(new Step.Call(
                scope.loop() == null
                        ? Endpoints.direct(Endpoints.runRoute(s.pipeline.name(), s.pipeline.revision(), "end"))
                        : uri(s, scope.parent(), scope.loop(), "iteration"),
                null));
    }

    /** The stage leaves WAITING_DEPS: its first attempt is queued. */
    void queued(Step s, Scope scope, Stage stage) throws SQLException {
        putStage(s, row(s, scope, stage).running(TicketStatus.QUEUED, 1, s.now));
    }

    /** The agent started on a ticket: its stage shows RUNNING. */
    void running(Step s, TicketRow t) throws SQLException {
        StageRow row = s.stages.get(t.stage());
        if (row != null && !row.status().terminal() && row.status() != TicketStatus.RUNNING) {
            putStage(s, row.running(TicketStatus.RUNNING, Math.max(row.attempts(), t.attempt()), s.now));
        }
    }

    /** A ticket of the stage was re-dispatched for another attempt. */
    void retrying(Step s, TicketRow t) throws SQLException {
        StageRow row = s.stages.get(t.stage());
        if (row != null && !row.status().terminal() && row.attempts() < t.attempt() + 1) {
            putStage(s, row.running(row.status(), t.attempt() + 1, s.now));
        }
    }

    void succeeded(Step s, Scope scope, Stage stage, JsonNode output, String detail) throws SQLException {
        int seq = s.nextHistorySeq();
        tickets.append(
                s,
                new HistoryRow(
                        seq,
                        s.run.id(),
                        null,
                        scope.qualified(stage),
                        null,
                        "STAGE_" + TicketStatus.SUCCEEDED.name(),
                        null,
                        Tickets.ENGINE,
                        detail,
                        s.now));
        putStage(s, row(s, scope, stage).ended(TicketStatus.SUCCEEDED, output, null, s.now, seq));
        if (stage.base().output() != null) {
            RunContext.write(s.changeContext(), stage.base().output(), output);
        }
        done(s, scope, stage, null);
    }

    void skipped(Step s, Scope scope, Stage stage, String why) throws SQLException {
        putStage(s, row(s, scope, stage).ended(TicketStatus.SKIPPED, null, why, s.now, null));
        tickets.note(s, scope.qualified(stage), TicketStatus.SKIPPED.name(), why);
        done(s, scope, stage, null);
    }

    void failed(Step s, Scope scope, Stage stage, String error) throws SQLException {
        putStage(s, row(s, scope, stage).ended(TicketStatus.FAILED, null, error, s.now, null));
        tickets.note(s, scope.qualified(stage), "STAGE_" + TicketStatus.FAILED.name(), error);
        done(s, scope, stage, error);
    }

    private static void done(Step s, Scope scope, Stage stage, String error) {
        s.later.add(
                new Step.Call(uri(s, scope, stage, "done"), new StageEnd(scope.qualified(stage), stage.name(), error)));
    }

    /** Ends the run as FAILED: tickets in flight and stages not yet run are cancelled, then compensation starts. */
    void failRun(Step s, String error) throws SQLException {
        end(s, error, "run failed");
    }

    /**
     * Cancels the run the same way: what is in flight is cancelled (agents are told), completed stages are
     * compensated, and the run ends CANCELLED. The error says {@code cancelled: <reason>}.
     */
    void cancelRun(Step s, String reason) throws SQLException {
        tickets.note(s, null, "RUN_CANCEL", reason);
        end(s, CANCELLED + reason, "run cancelled");
    }

    private void end(Step s, String error, String why) throws SQLException {
        if (s.status != RunStatus.RUNNING) {
            return;
        }
        for (TicketRow t : store.ticketRows()
                .ticketsIn(
                        s.c,
                        s.run.id(),
                        List.of(TicketStatus.QUEUED, TicketStatus.RUNNING, TicketStatus.WAITING_APPROVAL))) {
            tickets.cancel(s, t, why);
        }
        int pending = store.ticketRows().cancelPending(s.c, s.run.id(), s.now);
        if (pending > 0) {
            tickets.note(s, null, TicketStatus.CANCELLED.name(), pending + " tickets not yet dispatched: " + why);
        }
        for (StageRow st : List.copyOf(s.stages.values())) {
            if (!st.status().terminal()) {
                putStage(s, st.ended(TicketStatus.CANCELLED, null, why, s.now, null));
            }
        }
        s.error = error;
        if (compensations.needed(s)) {
            s.status = RunStatus.COMPENSATING;
            tickets.note(s, null, "RUN_" + RunStatus.COMPENSATING.name(), error);
            compensateNext(s);
        } else {
            finish(s, ended(s), error);
        }
    }

    /**
     * Fails a run whose revision can no longer be compiled: what is in flight is cancelled and nothing is
     * compensated (the compensations are part of the revision that no longer loads).
     */
    void abandon(Step s, String error) throws SQLException {
        for (TicketRow t : store.ticketRows()
                .ticketsIn(
                        s.c,
                        s.run.id(),
                        List.of(TicketStatus.QUEUED, TicketStatus.RUNNING, TicketStatus.WAITING_APPROVAL))) {
            tickets.cancel(s, t, "run failed");
        }
        store.ticketRows().cancelPending(s.c, s.run.id(), s.now);
        for (StageRow st : List.copyOf(s.stages.values())) {
            if (!st.status().terminal()) {
                putStage(s, st.ended(TicketStatus.CANCELLED, null, "run failed", s.now, null));
            }
        }
        finish(s, RunStatus.FAILED, error);
    }

    /** Starts the next compensation, or ends the run once every one has succeeded. */
    void compensateNext(Step s) throws SQLException {
        if (!compensations.next(s)) {
            finish(s, ended(s) == RunStatus.CANCELLED ? RunStatus.CANCELLED : RunStatus.COMPENSATED, s.error);
        }
    }

    /** How a run that stopped ends once nothing is left to compensate: CANCELLED when it was cancelled. */
    static RunStatus ended(Step s) {
        return s.error != null && s.error.startsWith(CANCELLED) ? RunStatus.CANCELLED : RunStatus.FAILED;
    }

    /** Ends the run; its RUN_ history row is also the run's final event on {@code baton.events}. */
    void finish(Step s, RunStatus status, String error) throws SQLException {
        s.status = status;
        s.error = error;
        tickets.note(s, null, "RUN_" + status.name(), error);
        try (LogContext run = LogContext.run(s.run.id())) {
            LOG.info("run of '{}' ended {}{}", s.run.pipeline(), status, error == null ? "" : ": " + error);
        }
    }

    /** The stage's input: its JSONPath over the context, or by default the outputs of its dependencies. */
    JsonNode input(Step s, Scope scope, Stage stage) throws SQLException {
        if (stage.base().input() != null) {
            return RunContext.read(s.context(), stage.base().input());
        }
        if (stage.dependsOn().isEmpty()) {
            return scope.loop() == null ? s.run.params() : input(s, scope.parent(), scope.loop());
        }
        ObjectNode deps = Json.object();
        for (String d : stage.dependsOn()) {
            deps.set(d, s.stages.get(scope.qualified(d)).output());
        }
        return deps;
    }

    StageRow row(Step s, Scope scope, Stage stage) {
        return s.stages.get(scope.qualified(stage));
    }

    void putStage(Step s, StageRow row) throws SQLException {
        StageRow before = s.stages.get(row.name());
        s.putStage(row);
        if (row.status().terminal() && (before == null || !before.status().terminal())) {
            stageEnded(s, row);
        }
    }

    /** Times a stage that ended; one that never started (cancelled while it waited) is not a stage that ran. */
    private void stageEnded(Step s, StageRow row) {
        RunMetrics.Outcome outcome = switch (row.status()) {
            case SUCCEEDED -> RunMetrics.Outcome.SUCCEEDED;
            case SKIPPED -> RunMetrics.Outcome.SKIPPED;
            case CANCELLED -> RunMetrics.Outcome.CANCELLED;
            default -> s.timedOut ? RunMetrics.Outcome.TIMED_OUT : RunMetrics.Outcome.FAILED;
        };
        if (row.startedAt() == null && outcome != RunMetrics.Outcome.SKIPPED) {
            return;
        }
        tickets.timing().metrics().traces().stageEnded(s, row, outcome);
        tickets.timing()
                .metrics()
                .stageEnded(
                        s.run.pipeline(),
                        row.name(),
                        outcome,
                        row.startedAt() == null ? null : java.time.Duration.between(row.startedAt(), s.now));
    }
}
