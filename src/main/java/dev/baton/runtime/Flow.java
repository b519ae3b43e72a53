package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.AgentStage;
import dev.baton.pipeline.ApprovalStage;
import dev.baton.pipeline.ForEachStage;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.LoopStage;
import dev.baton.pipeline.MultiAgentStage;
import dev.baton.pipeline.Stage;
import dev.baton.pipeline.StageVisitor;
import dev.baton.ticket.Rows.StageRow;
import dev.baton.ticket.Rows.TicketRow;
import dev.baton.ticket.RunStatus;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.TicketStatus;
import java.sql.SQLException;
import java.util.List;

/**
 * The state machine of a run: releases stages whose dependencies are done (the join), skips those whose condition
 * is false, hands each stage to the runner of its kind, and ends the run — failing it starts compensation.
 */
final class Flow {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Flow.class);
    /** How the error of a cancelled run begins. */
    static final String CANCELLED = "cancelled: ";
    private final RunStore store;
    private final Tickets tickets;
    private final Conditions conditions;
    private final AgentRunner agents;
    private final MultiAgentRunner multi;
    private final ForEachRunner forEach;
    private final LoopRunner loops;
    private final ApprovalRunner approvals;
    private final Compensations compensations;

    /** @param maxForEachItems items one for_each stage may fan out to; more fails the stage */
    Flow(RunStore store, Tickets tickets, Conditions conditions, int maxForEachItems) {
        this.store = store;
        this.tickets = tickets;
        this.conditions = conditions;
        this.agents = new AgentRunner(this, tickets);
        this.multi = new MultiAgentRunner(this, store, tickets);
        this.forEach = new ForEachRunner(this, store, tickets, maxForEachItems);
        this.loops = new LoopRunner(this, store, tickets, conditions);
        this.approvals = new ApprovalRunner(this, store, tickets);
        this.compensations = new Compensations(this, store, tickets);
    }

    Tickets tickets() {
        return tickets;
    }

    /** Starts every waiting stage of the scope whose dependencies have all SUCCEEDED or been SKIPPED. */
    void release(Step s, Scope scope) throws SQLException {
        boolean changed = true;
        while (changed && s.status == RunStatus.RUNNING) {
            changed = false;
            for (Stage stage : scope.stages()) {
                StageRow row = s.stages.get(scope.qualified(stage));
                if (row.status() == TicketStatus.WAITING_DEPS && depsDone(s, scope, stage)) {
                    changed |= start(s, scope, stage);
                    if (s.status != RunStatus.RUNNING) {
                        return;
                    }
                }
            }
        }
    }

    private static boolean depsDone(Step s, Scope scope, Stage stage) {
        return stage.dependsOn().stream().map(d -> s.stages.get(scope.qualified(d)))
                .allMatch(d -> d.status() == TicketStatus.SUCCEEDED || d.status() == TicketStatus.SKIPPED);
    }

    /** Starts a stage, or skips it when its condition is false; true when it was skipped (others may follow). */
    private boolean start(Step s, Scope scope, Stage stage) throws SQLException {
        String condition = stage.base().condition();
        if (condition != null) {
            Conditions.Result r = conditions.test(s, scope, condition);
            if (r.error() != null) {
                putStage(s, row(s, scope, stage).running(TicketStatus.RUNNING, 0, s.now));
                stageFailed(s, scope, stage, "condition '" + condition + "' failed: " + r.error());
                return false;
            }
            if (!r.value()) {
                putStage(s, row(s, scope, stage).ended(TicketStatus.SKIPPED, null, "condition is false: " + condition,
                        s.now, null));
                tickets.note(s, scope.qualified(stage), TicketStatus.SKIPPED.name(), "condition is false: " + condition);
                return true;
            }
        }
        putStage(s, row(s, scope, stage).running(TicketStatus.QUEUED, 1, s.now));
        stage.accept(new StageVisitor<Void>() {
            public Void agent(AgentStage st) { return run(() -> agents.start(s, scope, st)); }
            public Void multiAgent(MultiAgentStage st) { return run(() -> multi.start(s, scope, st)); }
            public Void forEach(ForEachStage st) { return run(() -> forEach.start(s, scope, st)); }
            public Void loop(LoopStage st) { return run(() -> loops.start(s, scope, st)); }
            public Void approval(ApprovalStage st) { return run(() -> approvals.start(s, scope, st)); }
        });
        return false;
    }

    /** A work ticket succeeded: its stage's runner decides what that means. */
    void ticketSucceeded(Step s, Scope scope, Stage stage, TicketRow t, JsonNode output) throws SQLException {
        stage.accept(new StageVisitor<Void>() {
            public Void agent(AgentStage st) { return run(() -> agents.succeeded(s, scope, st, t, output)); }
            public Void multiAgent(MultiAgentStage st) { return run(() -> multi.succeeded(s, scope, st, t, output)); }
            public Void forEach(ForEachStage st) { return run(() -> forEach.succeeded(s, scope, st, t, output)); }
            public Void loop(LoopStage st) { throw new IllegalStateException("a loop has no tickets of its own"); }
            public Void approval(ApprovalStage st) { return run(() -> approvals.succeeded(s, scope, st, t, output)); }
        });
    }

    /** A work ticket failed for good. */
    void ticketFailed(Step s, Scope scope, Stage stage, TicketRow t, String error) throws SQLException {
        stage.accept(new StageVisitor<Void>() {
            public Void agent(AgentStage st) { return run(() -> agents.failed(s, scope, st, t, error)); }
            public Void multiAgent(MultiAgentStage st) { return run(() -> multi.failed(s, scope, st, t, error)); }
            public Void forEach(ForEachStage st) { return run(() -> forEach.failed(s, scope, st, t, error)); }
            public Void loop(LoopStage st) { throw new IllegalStateException("a loop has no tickets of its own"); }
            public Void approval(ApprovalStage st) { return run(() -> approvals.failed(s, scope, st, t, error)); }
        });
    }

    Compensations compensations() {
        return compensations;
    }

    ApprovalRunner approvals() {
        return approvals;
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

    void stageSucceeded(Step s, Scope scope, Stage stage, JsonNode output, String detail) throws SQLException {
        int seq = s.nextHistorySeq();
        tickets.append(s, new dev.baton.ticket.Rows.HistoryRow(seq, s.run.id(), null, scope.qualified(stage), null,
                "STAGE_" + TicketStatus.SUCCEEDED.name(), null, Tickets.ENGINE, detail, s.now));
        putStage(s, row(s, scope, stage).ended(TicketStatus.SUCCEEDED, output, null, s.now, seq));
        if (stage.base().output() != null) {
            RunContext.write(s.changeContext(), stage.base().output(), output);
        }
        afterChange(s, scope);
    }

    void stageFailed(Step s, Scope scope, Stage stage, String error) throws SQLException {
        putStage(s, row(s, scope, stage).ended(TicketStatus.FAILED, null, error, s.now, null));
        tickets.note(s, scope.qualified(stage), "STAGE_" + TicketStatus.FAILED.name(), error);
        if (scope.loop() != null) {
            loops.innerFailed(s, scope, stage, error);
        } else {
            failRun(s, "stage '" + stage.name() + "' failed: " + error);
        }
    }

    /** Something in the scope ended: start what is now ready, and end the loop iteration or the run when done. */
    void afterChange(Step s, Scope scope) throws SQLException {
        release(s, scope);
        if (s.status != RunStatus.RUNNING) {
            return;
        }
        if (scope.loop() != null) {
            loops.innerChanged(s, scope);
        } else if (scope.stages().stream().allMatch(st -> s.stages.get(st.name()).status().terminal())) {
            finish(s, RunStatus.SUCCEEDED, null);
        }
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
        for (TicketRow t : store.ticketsIn(s.c, s.run.id(),
                List.of(TicketStatus.QUEUED, TicketStatus.RUNNING, TicketStatus.WAITING_APPROVAL))) {
            tickets.cancel(s, t, why);
        }
        int pending = store.cancelPending(s.c, s.run.id(), s.now);
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
            compensations.next(s);
        } else {
            finish(s, ended(s), error);
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
            LOG.info("run of '{}' ended {}{}", s.pipeline.name(), status, error == null ? "" : ": " + error);
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
        store.updateStage(s.c, row);
        StageRow before = s.stages.put(row.name(), row);
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
        tickets.timing().metrics().stageEnded(s.pipeline.name(), row.name(), outcome,
                row.startedAt() == null ? null : java.time.Duration.between(row.startedAt(), s.now));
    }

    /** An action that may throw SQLException, run inside a visitor (whose methods cannot throw it). */
    interface SqlAction {
        void run() throws SQLException;
    }

    static Void run(SqlAction action) {
        try {
            action.run();
            return null;
        } catch (SQLException e) {
            throw new dev.baton.ticket.StoreException(e);
        }
    }
}
