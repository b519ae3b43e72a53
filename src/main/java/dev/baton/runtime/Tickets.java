package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.agent.protocol.Control;
import dev.baton.compile.Endpoints;
import dev.baton.pipeline.Durations;
import dev.baton.runtime.RunMetrics.Outcome;
import dev.baton.ticket.Rows.HistoryRow;
import dev.baton.ticket.Rows.Outgoing;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.TicketRow;
import dev.baton.ticket.TicketStatus;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * The life of one ticket: created, dispatched to its agent's queue (with its lease), retried with back-off,
 * ended or cancelled; each change is a history row and each message goes through the outbox.
 */
// try-with-resources whose resource is never read: its LogContext scope sets the log line's ticket id for the block it
// encloses.
@SuppressWarnings("try")
final class Tickets {
    static final String ENGINE = "baton";

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Tickets.class);
    private final RunStore store;
    private final TicketHistory history;
    private final TicketDispatch dispatch;
    private final TicketTiming timing;

    Tickets(RunStore store, EventLog log, TicketTiming timing, AgentPriorities agentPriorities, AgentChooser chooser) {
        this.store = store;
        this.history = new TicketHistory(log);
        this.dispatch = new TicketDispatch(store, history, timing, agentPriorities, chooser);
        this.timing = timing;
    }

    RunStore store() {
        return store;
    }

    TicketTiming timing() {
        return timing;
    }

    /** A new ticket row (not yet stored). */
    static TicketRow row(
            Step s,
            String stage,
            int iteration,
            int item,
            String label,
            String agent,
            JsonNode input,
            TicketStatus status) {
        return new TicketRow(
                UUID.randomUUID().toString(),
                s.run.id(),
                stage,
                iteration,
                item,
                label,
                0,
                0,
                agent,
                status,
                input,
                null,
                null,
                null,
                s.now,
                s.now,
                null,
                null);
    }

    /** Stores a new ticket (or revives the one a rerun left) and dispatches its next attempt at once. */
    TicketRow start(Step s, TicketRow fresh, TicketPolicy policy, String why) throws SQLException {
        var old = leftByRerun(s, fresh);
        if (old.isEmpty()) {
            // Written once, as dispatched: an insert, then no update of the row just inserted.
            return dispatch.dispatch(s, fresh, fresh.attempt() + 1, policy, Duration.ZERO, why, true);
        }
        TicketRow revived = old.get().revived(fresh, s.now);
        return dispatch.dispatch(s, revived, revived.attempt() + 1, policy, Duration.ZERO, why, false);
    }

    /**
     * Stores a new ticket row. A rerun leaves the rows of the stages it resets in place (they are the history of
     * the earlier attempts), so a row with the same stage, iteration and item is revived instead.
     */
    TicketRow store(Step s, TicketRow fresh) throws SQLException {
        var old = leftByRerun(s, fresh);
        if (old.isEmpty()) {
            store.ticketRows().insertTicket(s.c, fresh);
            return fresh;
        }
        TicketRow revived = old.get().revived(fresh, s.now);
        store.ticketRows().updateTicket(s.c, revived);
        return revived;
    }

    /**
     * The row an earlier try of a rerun run left in this ticket's slot, if any. A run never rerun has none, so it is
     * not looked for: one read less for every ticket of nearly every run (and were one there after all, the slot's
     * unique index would refuse the insert, loudly).
     */
    private Optional<TicketRow> leftByRerun(Step s, TicketRow fresh) throws SQLException {
        if (!s.rerun) {
            return Optional.empty();
        }
        return store.ticketRows().ticket(s.c, fresh.runId(), fresh.stage(), fresh.iteration(), fresh.item());
    }

    /** A progress report from the agent: the attempt is alive, so its lease starts again. */
    void renewLease(Step s, TicketRow t, TicketPolicy policy) throws SQLException {
        if (policy.timeout() != null) {
            store.ticketRows()
                    .updateTicket(s.c, t.lease(TicketDispatch.ceilMillis(s.now.plus(policy.timeout())), s.now));
        }
    }

    /**
     * The agent started on the ticket. {@code write} is false when the same step ends the attempt too (a final reply to
     * a QUEUED ticket): its row is then written once, ended; the RUNNING history row is kept.
     */
    TicketRow running(Step s, TicketRow t, String detail, boolean write) throws SQLException {
        TicketRow r = t.running(s.now);
        if (write) {
            store.ticketRows().updateTicket(s.c, r);
        }
        history(s, r, TicketStatus.RUNNING.name(), detail);
        return r;
    }

    TicketRow succeed(Step s, TicketRow t, JsonNode output, String detail) throws SQLException {
        TicketRow done = t.ended(TicketStatus.SUCCEEDED, output, null, s.now);
        store.ticketRows().updateTicket(s.c, done);
        history(s, done, TicketStatus.SUCCEEDED.name(), detail);
        attemptEnded(s, t, Outcome.SUCCEEDED, false);
        return done;
    }

    /**
     * One attempt failed: when the policy allows, the next attempt is scheduled (the broker holds it for the
     * back-off) and true is returned; otherwise nothing changes and the caller ends the ticket.
     */
    boolean retry(Step s, TicketRow t, TicketPolicy policy, String error, boolean retryable) throws SQLException {
        if (!retryable || t.attemptsThisTry() >= policy.retry().maxAttempts()) {
            return false;
        }
        int next = t.attempt() + 1;
        // back-off counts from this try's first attempt, like the budget
        Duration delay = policy.retry().delayBefore(next - t.baseAttempt(), t.id().hashCode());
        history(s, t, TicketStatus.FAILED.name(), error + "; retrying in " + delay.toMillis() + "ms");
        attemptEnded(s, t, Outcome.RETRIED, true);
        dispatch(s, t, next, policy, delay, "attempt " + next + " after: " + error);
        return true;
    }

    /**
     * Dispatches attempt + 1 at once, whatever the retry budget: the attempt did not fail, its holder went away
     * (an agent instance DOWN). The attempt still counts towards the budget of later failures.
     */
    void redispatch(Step s, TicketRow t, TicketPolicy policy, String why) throws SQLException {
        int next = t.attempt() + 1;
        history(s, t, TicketStatus.FAILED.name(), why + "; re-dispatched as attempt " + next);
        attemptEnded(s, t, Outcome.RETRIED, false);
        dispatch(s, t, next, policy, Duration.ZERO, "attempt " + next + " after: " + why);
    }

    TicketRow fail(Step s, TicketRow t, String error) throws SQLException {
        TicketRow failed = t.ended(TicketStatus.FAILED, null, error, s.now);
        store.ticketRows().updateTicket(s.c, failed);
        history(s, failed, TicketStatus.FAILED.name(), error);
        attemptEnded(s, t, s.timedOut ? Outcome.TIMED_OUT : Outcome.FAILED, true);
        return failed;
    }

    /**
     * Cancels a ticket. An agent that may hold it is told on its control address ({@code baton.control.<agent>});
     * a reply it sends anyway is refused, because the ticket is no longer active.
     */
    void cancel(Step s, TicketRow t, String reason) throws SQLException {
        boolean held = t.status().active();
        TicketRow cancelled = t.with(TicketStatus.CANCELLED, s.now);
        store.ticketRows().updateTicket(s.c, cancelled);
        history(s, cancelled, TicketStatus.CANCELLED.name(), reason);
        if (held) {
            attemptEnded(s, t, Outcome.CANCELLED, false);
            Control msg = Control.cancel(t.id(), t.attempt(), t.runId(), t.stage(), t.agent(), reason);
            history.emit(
                    s,
                    new Outgoing(
                            UUID.randomUUID().toString(),
                            Endpoints.topic(Endpoints.controlTopic(t.agent())),
                            msg.toJson(),
                            t.id(),
                            null,
                            7,
                            0,
                            0));
        }
    }

    /** Counts how an attempt of an agent's ticket ended (approvals, which people decide, have no agent). */
    private void attemptEnded(Step s, TicketRow t, Outcome outcome, boolean failure) throws SQLException {
        if (t.agent() != null) {
            timing.metrics().attemptEnded(s.run.pipeline(), t.stage(), t.agent(), outcome, failure);
            timing.metrics().traces().attemptEnded(s, t, outcome, failure);
        }
    }

    /** Queues attempt {@code attempt} of the ticket for its agent, delivered after {@code delay}. */
    TicketRow dispatch(Step s, TicketRow t, int attempt, TicketPolicy policy, Duration delay, String why)
            throws SQLException {
        return dispatch.dispatch(s, t, attempt, policy, delay, why, false);
    }

    /** See {@link TicketDispatch#leaseExpired}. */
    boolean leaseExpired(Step s, TicketRow t) throws SQLException {
        return dispatch.leaseExpired(s, t);
    }

    /** See {@link TicketHistory#refuse}. */
    boolean refuse(Step s, TicketRow t, int attempt, String why) throws SQLException {
        return history.refuse(s, t, attempt, why);
    }

    /** See {@link TicketHistory#toolCall}. */
    void toolCall(Step s, TicketRow t, int attempt, JsonNode call) throws SQLException {
        history.toolCall(s, t, attempt, call);
    }

    void history(Step s, TicketRow t, String status, String detail) throws SQLException {
        history.history(s, t, status, detail);
    }

    /** A history row about a stage or the run rather than one ticket. */
    void note(Step s, String stage, String status, String detail) throws SQLException {
        history.note(s, stage, status, detail);
    }

    /** Appends a history row; its event and any webhook delivery go out with the transition. */
    void append(Step s, HistoryRow h) throws SQLException {
        history.append(s, h);
    }

    void emit(Step s, Outgoing m) throws SQLException {
        history.emit(s, m);
    }

    /** {@code attempt 2 of 3}, or after a rerun {@code attempt 5 (2 of 3 since the rerun)}. */
    static String attemptOf(TicketRow t, int maxAttempts) {
        return "attempt " + t.attempt()
                + (t.baseAttempt() == 0
                        ? " of " + maxAttempts
                        : " (" + t.attemptsThisTry() + " of " + maxAttempts + " since the rerun)");
    }

    /** {@code after 1 attempt}, {@code after 3 attempts}, or after a rerun {@code after 2 attempts since the rerun}. */
    static String afterAttempts(TicketRow t) {
        int n = t.attemptsThisTry();
        return "after " + n + (n == 1 ? " attempt" : " attempts") + (t.baseAttempt() == 0 ? "" : " since the rerun");
    }

    static String leaseDetail(Duration timeout, int attempt) {
        return "lease of " + Durations.format(timeout) + " expired on attempt " + attempt;
    }

    static String deadlineDetail(Duration deadline, int attempt, String agent) {
        return "deadline expired after " + (deadline == null ? "its time to live" : Durations.format(deadline))
                + " on attempt " + attempt + ": no agent took the ticket from " + Endpoints.agentQueue(agent);
    }
}
