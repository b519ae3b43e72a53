package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.compile.Endpoints;
import dev.baton.pipeline.AgentStage;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.Stage;
import dev.baton.ticket.OutboxStore;
import dev.baton.ticket.Rows.HistoryRow;
import dev.baton.ticket.Rows.Outgoing;
import dev.baton.ticket.Rows.StageRow;
import dev.baton.ticket.Rows.TicketRow;
import dev.baton.ticket.RunStatus;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.TicketStatus;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** The state machine of a run: releases ready stages, dispatches tickets, applies outcomes, finishes the run. */
final class Transitions {
    static final String ENGINE = "baton";
    private final RunStore store;
    private final OutboxStore outbox;

    Transitions(RunStore store, OutboxStore outbox) {
        this.store = store;
        this.outbox = outbox;
    }

    /** Dispatches every waiting stage whose dependencies have all SUCCEEDED or been SKIPPED (the join). */
    void release(Step s) throws SQLException {
        for (Stage stage : s.pipeline.stages()) {
            StageRow row = s.stages.get(stage.name());
            if (row.status() == TicketStatus.WAITING_DEPS && depsDone(s, stage)) {
                dispatch(s, stage, null, 1, Duration.ZERO, null);
            }
        }
    }

    private static boolean depsDone(Step s, Stage stage) {
        return stage.dependsOn().stream().map(s.stages::get)
                .allMatch(d -> d.status() == TicketStatus.SUCCEEDED || d.status() == TicketStatus.SKIPPED);
    }

    /** Creates (attempt 1) or re-arms (attempt n) the stage's ticket and queues it for its agent. */
    void dispatch(Step s, Stage stage, TicketRow previous, int attempt, Duration delay, String why)
            throws SQLException {
        String agent = ((AgentStage) stage).agent();
        JsonNode input = input(s, stage);
        Instant deliverAt = s.now.plus(delay);
        Duration timeout = stage.base().timeout();
        Instant lease = timeout == null ? null : ceilMillis(deliverAt.plus(timeout));
        TicketRow t;
        if (previous == null) {
            t = new TicketRow(UUID.randomUUID().toString(), s.run.id(), stage.name(), 0, attempt, agent,
                    TicketStatus.QUEUED, input, null, null, lease, s.now, s.now);
            store.insertTicket(s.c, t);
        } else {
            t = new TicketRow(previous.id(), previous.runId(), previous.stage(), previous.item(), attempt, agent,
                    TicketStatus.QUEUED, input, null, null, lease, previous.createdAt(), s.now);
            store.updateTicket(s.c, t);
        }
        StageRow old = s.stages.get(stage.name());
        putStage(s, new StageRow(old.runId(), old.name(), TicketStatus.QUEUED, attempt, null, null,
                old.startedAt() == null ? s.now : old.startedAt(), null));
        history(s, t, TicketStatus.QUEUED.name(), why);

        ObjectNode msg = Json.object();
        msg.put("ticketId", t.id()).put("runId", s.run.id()).put("pipeline", s.pipeline.name())
                .put("stage", stage.name()).putNull("item");
        msg.put("attempt", attempt).put("agent", agent);
        msg.set("input", input);
        msg.set("params", s.run.params());
        msg.put("deadline", lease == null ? null : lease.toString());
        emit(s, new Outgoing(UUID.randomUUID().toString(), Endpoints.queue(Endpoints.agentQueue(agent)),
                Json.write(msg), t.id(), Endpoints.RESULTS, stage.base().priority(), deliverAt.toEpochMilli(), 0));
        if (lease != null) {
            armLease(s, t, lease);
        }
    }

    /**
     * Schedules the lease check of the ticket's current attempt. There is one such message per attempt: renewals
     * only move {@code lease_until}, and a check that arrives before it re-arms itself (see {@link #leaseDue}).
     */
    void armLease(Step s, TicketRow t, Instant at) throws SQLException {
        ObjectNode check = Json.object().put("type", "lease").put("ticketId", t.id()).put("attempt", t.attempt());
        emit(s, new Outgoing(UUID.randomUUID().toString(), Endpoints.queue(Endpoints.COORDINATOR),
                Json.write(check), t.id(), null, 4, at.toEpochMilli(), 0));
    }

    /**
     * A lease check arrived. Before the lease ends (renewed by progress, or delivered a little early: clocks of
     * several hosts, millisecond rounding) it re-arms for the lease's end; it never just disappears, or an attempt
     * whose agent died would wait forever.
     */
    void leaseDue(Step s, Stage stage, TicketRow t) throws SQLException {
        if (t.leaseUntil() != null && t.leaseUntil().isAfter(s.now)) {
            armLease(s, t, t.leaseUntil());
            return;
        }
        String why = "lease of " + dev.baton.pipeline.Durations.format(stage.base().timeout())
                + " expired on attempt " + t.attempt();
        failAttempt(s, stage, t, why, true);
    }

    /** A progress report from the agent: the attempt is alive, so its lease starts again. */
    TicketRow renewLease(Step s, Stage stage, TicketRow t) throws SQLException {
        Duration timeout = stage.base().timeout();
        if (timeout == null) {
            return t;
        }
        TicketRow renewed = new TicketRow(t.id(), t.runId(), t.stage(), t.item(), t.attempt(), t.agent(), t.status(),
                t.input(), t.output(), t.error(), ceilMillis(s.now.plus(timeout)), t.createdAt(), s.now);
        store.updateTicket(s.c, renewed);
        return renewed;
    }

    /** Scheduled delivery has millisecond precision; a lease never ends before its message can arrive. */
    private static Instant ceilMillis(Instant i) {
        Instant floor = i.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        return floor.equals(i) ? i : floor.plusMillis(1);
    }

    /** The stage's input: its JSONPath over the context, or by default the outputs of its dependencies. */
    private static JsonNode input(Step s, Stage stage) {
        if (stage.base().input() != null) {
            return RunContext.read(s.context, stage.base().input());
        }
        if (stage.dependsOn().isEmpty()) {
            return s.run.params();
        }
        ObjectNode deps = Json.object();
        stage.dependsOn().forEach(d -> deps.set(d, s.stages.get(d).output()));
        return deps;
    }

    TicketRow running(Step s, TicketRow t, String detail) throws SQLException {
        TicketRow r = t.with(TicketStatus.RUNNING, s.now);
        store.updateTicket(s.c, r);
        StageRow old = s.stages.get(t.stage());
        putStage(s, new StageRow(old.runId(), old.name(), TicketStatus.RUNNING, old.attempts(), null, null,
                old.startedAt(), null));
        history(s, r, TicketStatus.RUNNING.name(), detail);
        return r;
    }

    void succeed(Step s, Stage stage, TicketRow t, JsonNode output) throws SQLException {
        TicketRow done = new TicketRow(t.id(), t.runId(), t.stage(), t.item(), t.attempt(), t.agent(),
                TicketStatus.SUCCEEDED, t.input(), output, null, t.leaseUntil(), t.createdAt(), s.now);
        store.updateTicket(s.c, done);
        history(s, done, TicketStatus.SUCCEEDED.name(), null);
        StageRow old = s.stages.get(stage.name());
        putStage(s, new StageRow(old.runId(), old.name(), TicketStatus.SUCCEEDED, old.attempts(), output, null,
                old.startedAt(), s.now));
        if (stage.base().output() != null) {
            RunContext.write(s.context, stage.base().output(), output);
        }
        release(s);
        finishIfDone(s);
    }

    /** One attempt failed: retry with back-off while the policy allows, otherwise the stage and the run fail. */
    void failAttempt(Step s, Stage stage, TicketRow t, String error, boolean retryable) throws SQLException {
        var policy = stage.base().retry();
        if (retryable && t.attempt() < policy.maxAttempts()) {
            Duration delay = policy.delayBefore(t.attempt() + 1);
            history(s, t, TicketStatus.FAILED.name(), error + "; retrying in " + delay.toMillis() + "ms");
            dispatch(s, stage, t, t.attempt() + 1, delay, "attempt " + (t.attempt() + 1) + " after: " + error);
            return;
        }
        TicketRow failed = new TicketRow(t.id(), t.runId(), t.stage(), t.item(), t.attempt(), t.agent(),
                TicketStatus.FAILED, t.input(), null, error, t.leaseUntil(), t.createdAt(), s.now);
        store.updateTicket(s.c, failed);
        history(s, failed, TicketStatus.FAILED.name(), error);
        StageRow old = s.stages.get(stage.name());
        String stageError = "attempt " + t.attempt() + " of " + policy.maxAttempts() + " failed: " + error;
        putStage(s, new StageRow(old.runId(), old.name(), TicketStatus.FAILED, old.attempts(), null, stageError,
                old.startedAt(), s.now));
        failRun(s, "stage '" + stage.name() + "' failed: " + stageError);
    }

    /** Ends the run as FAILED: tickets in flight and stages not yet run are cancelled. */
    void failRun(Step s, String error) throws SQLException {
        for (TicketRow t : store.tickets(s.c, s.run.id())) {
            if (t.status().active()) {
                TicketRow cancelled = t.with(TicketStatus.CANCELLED, s.now);
                store.updateTicket(s.c, cancelled);
                history(s, cancelled, TicketStatus.CANCELLED.name(), "run failed");
            }
        }
        for (StageRow st : s.stages.values().stream().toList()) {
            if (!st.status().terminal()) {
                putStage(s, new StageRow(st.runId(), st.name(), TicketStatus.CANCELLED, st.attempts(), null,
                        "run failed", st.startedAt(), s.now));
            }
        }
        finish(s, RunStatus.FAILED, error);
    }

    void refuse(Step s, TicketRow t, int attempt, String why) throws SQLException {
        store.history(s.c, new HistoryRow(s.nextHistorySeq(store), t.runId(), t.id(), t.stage(), attempt,
                TicketStatus.REFUSED.name(), t.agent(), t.agent(), why, s.now));
    }

    private void finishIfDone(Step s) throws SQLException {
        if (s.stages.values().stream().allMatch(st -> st.status().terminal())) {
            finish(s, RunStatus.SUCCEEDED, null);
        } else {
            store.updateRun(s.c, s.run.id(), s.run.status(), s.context, null, s.now);
        }
    }

    private void finish(Step s, RunStatus status, String error) throws SQLException {
        store.updateRun(s.c, s.run.id(), status, s.context, error, s.now);
        store.history(s.c, new HistoryRow(s.nextHistorySeq(store), s.run.id(), null, null, null, "RUN_" + status.name(),
                null, ENGINE, error, s.now));
        ObjectNode event = Json.object().put("type", "run").put("runId", s.run.id())
                .put("pipeline", s.pipeline.name()).put("status", status.name()).put("error", error)
                .put("at", s.now.toString());
        emit(s, new Outgoing(UUID.randomUUID().toString(), Endpoints.topic(Endpoints.EVENTS), Json.write(event),
                s.run.id(), null, 4, 0, 0));
    }

    private void putStage(Step s, StageRow row) throws SQLException {
        store.updateStage(s.c, row);
        s.stages.put(row.name(), row);
    }

    private void history(Step s, TicketRow t, String status, String detail) throws SQLException {
        store.history(s.c, new HistoryRow(s.nextHistorySeq(store), t.runId(), t.id(), t.stage(), t.attempt(), status,
                t.agent(), ENGINE, detail, s.now));
    }

    private void emit(Step s, Outgoing m) throws SQLException {
        outbox.add(s.c, m, s.now);
        s.outgoing.add(m);
    }
}
