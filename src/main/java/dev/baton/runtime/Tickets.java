package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.agent.protocol.Control;
import dev.baton.agent.protocol.Ticket;
import dev.baton.compile.Endpoints;
import dev.baton.compile.Scope;
import dev.baton.pipeline.AgentSelector;
import dev.baton.pipeline.AgentStage;
import dev.baton.pipeline.Durations;
import dev.baton.pipeline.Json;
import dev.baton.runtime.RunMetrics.Outcome;
import dev.baton.ticket.RefusalStore;
import dev.baton.ticket.Rows.HistoryRow;
import dev.baton.ticket.Rows.Outgoing;
import dev.baton.ticket.Rows.TicketRow;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.TicketStatus;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
    /** REFUSED rows one ticket may have; later refusals are counted on the newest (see {@link #refuse}). */
    static final int MAX_REFUSAL_ROWS = 20;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Tickets.class);
    private final RunStore store;
    private final RefusalStore refusals = new RefusalStore();
    private final EventLog log;
    private final TicketTiming timing;
    private final AgentPriorities agentPriorities;
    private final AgentChooser chooser;

    Tickets(RunStore store, EventLog log, TicketTiming timing, AgentPriorities agentPriorities, AgentChooser chooser) {
        this.store = store;
        this.log = log;
        this.timing = timing;
        this.agentPriorities = agentPriorities;
        this.chooser = chooser;
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
                s.now);
    }

    /** Stores a new ticket (or revives the one a rerun left) and dispatches its next attempt at once. */
    TicketRow start(Step s, TicketRow fresh, TicketPolicy policy, String why) throws SQLException {
        var old = store.ticketRows().ticket(s.c, fresh.runId(), fresh.stage(), fresh.iteration(), fresh.item());
        if (old.isEmpty()) {
            // Written once, as dispatched: an insert, then no update of the row just inserted.
            return dispatch(s, fresh, fresh.attempt() + 1, policy, Duration.ZERO, why, true);
        }
        TicketRow revived = old.get().revived(fresh, s.now);
        return dispatch(s, revived, revived.attempt() + 1, policy, Duration.ZERO, why, false);
    }

    /**
     * Stores a new ticket row. A rerun leaves the rows of the stages it resets in place (they are the history of
     * the earlier attempts), so a row with the same stage, iteration and item is revived instead.
     */
    TicketRow store(Step s, TicketRow fresh) throws SQLException {
        var old = store.ticketRows().ticket(s.c, fresh.runId(), fresh.stage(), fresh.iteration(), fresh.item());
        if (old.isEmpty()) {
            store.ticketRows().insertTicket(s.c, fresh);
            return fresh;
        }
        TicketRow revived = old.get().revived(fresh, s.now);
        store.ticketRows().updateTicket(s.c, revived);
        return revived;
    }

    /** Queues attempt {@code attempt} of the ticket for its agent, delivered after {@code delay}. */
    TicketRow dispatch(Step s, TicketRow t, int attempt, TicketPolicy policy, Duration delay, String why)
            throws SQLException {
        return dispatch(s, t, attempt, policy, delay, why, false);
    }

    /** {@link #dispatch}; {@code insert} when the ticket's row does not exist yet. */
    private TicketRow dispatch(
            Step s, TicketRow t, int attempt, TicketPolicy policy, Duration delay, String why, boolean insert)
            throws SQLException {
        AgentSelector selector = t.compensation() ? null : selectorOf(s, t);
        if (selector != null) {
            // Every attempt chooses again: a retry after the agent went DOWN goes to another one.
            AgentChooser.Choice choice = chooser.choose(s, selector);
            t = t.withAgent(choice.agent());
            why = why == null ? choice.detail() : why + "; " + choice.detail();
        }
        Instant deliverAt = s.now.plus(delay);
        Instant lease = policy.timeout() == null ? null : ceilMillis(deliverAt.plus(policy.timeout()));
        TicketRow queued = t.attempt(attempt, lease, s.now);
        if (insert) {
            store.ticketRows().insertTicket(s.c, queued);
        } else {
            store.ticketRows().updateTicket(s.c, queued);
        }
        timing.queued(s, queued, deliverAt);
        history(s, queued, TicketStatus.QUEUED.name(), why);
        if (LOG.isDebugEnabled()) {
            try (LogContext ticket = LogContext.ticket(t.id())) {
                LOG.debug(
                        "dispatching attempt {} of stage '{}' to agent '{}'{}",
                        attempt,
                        t.label(),
                        t.agent(),
                        delay.isZero() ? "" : " in " + delay.toMillis() + "ms");
            }
        }

        // The broker drops a ticket nobody took by then onto baton.tickets.expired; Baton reads that as a timeout.
        Instant expires = policy.deadline() == null ? null : ceilMillis(deliverAt.plus(policy.deadline()));
        Ticket msg = new Ticket(
                t.id(),
                s.run.id(),
                s.run.pipeline(),
                t.stage(),
                t.item() >= 0 && !t.label().equals(t.stage()) ? t.item() : null,
                t.iteration() > 0 ? t.iteration() : null,
                t.label(),
                t.compensation() ? Ticket.Purpose.COMPENSATE : Ticket.Purpose.WORK,
                attempt,
                t.agent(),
                t.input(),
                s.run.params(),
                lease == null ? null : lease.toString(),
                expires == null ? null : expires.toString(),
                timing.metrics().traces().traceparent(s, t, attempt));
        emit(
                s,
                new Outgoing(
                        UUID.randomUUID().toString(),
                        Endpoints.queue(Endpoints.agentQueue(t.agent())),
                        msg.toJson(),
                        t.id(),
                        Endpoints.RESULTS,
                        priority(policy, t.agent()),
                        deliverAt.toEpochMilli(),
                        expires == null ? 0 : expires.toEpochMilli()));
        if (lease != null) {
            armLease(s, queued, lease);
        }
        return queued;
    }

    /** The stage's priority; else the agent's registry priority; else JMS' default. */
    private int priority(TicketPolicy policy, String agent) {
        if (policy.priority() != null) {
            return policy.priority();
        }
        Integer p = agentPriorities.of(agent);
        return p == null ? TicketPolicy.DEFAULT_PRIORITY : p;
    }

    private static AgentSelector selectorOf(Step s, TicketRow t) {
        return Scope.find(s.pipeline, t.stage()).stage() instanceof AgentStage a ? a.selector() : null;
    }

    /**
     * Schedules the lease check of the ticket's current attempt. There is one such message per attempt: renewals
     * only move {@code lease_until}, and a check that arrives before it re-arms itself (see {@link #leaseExpired}).
     */
    void armLease(Step s, TicketRow t, Instant at) throws SQLException {
        ObjectNode check =
                Json.object().put("type", "lease").put("ticketId", t.id()).put("attempt", t.attempt());
        emit(
                s,
                new Outgoing(
                        UUID.randomUUID().toString(),
                        Endpoints.queue(Endpoints.COORDINATOR),
                        Json.write(check),
                        t.id(),
                        null,
                        4,
                        at.toEpochMilli(),
                        0));
    }

    /**
     * A lease check arrived: true when the attempt's lease has really ended. Before that (renewed by progress, or
     * delivered a little early: clocks of several hosts, millisecond rounding) it re-arms for the lease's end; it
     * never just disappears, or an attempt whose agent died would wait forever.
     */
    boolean leaseExpired(Step s, TicketRow t) throws SQLException {
        if (t.leaseUntil() != null && t.leaseUntil().isAfter(s.now)) {
            armLease(s, t, t.leaseUntil());
            return false;
        }
        return true;
    }

    /** A progress report from the agent: the attempt is alive, so its lease starts again. */
    void renewLease(Step s, TicketRow t, TicketPolicy policy) throws SQLException {
        if (policy.timeout() != null) {
            store.ticketRows().updateTicket(s.c, t.lease(ceilMillis(s.now.plus(policy.timeout())), s.now));
        }
    }

    /**
     * The agent started on the ticket. {@code write} is false when the same step ends the attempt too (a final reply to
     * a QUEUED ticket): its row is then written once, ended; the RUNNING history row is kept.
     */
    TicketRow running(Step s, TicketRow t, String detail, boolean write) throws SQLException {
        TicketRow r = t.with(TicketStatus.RUNNING, s.now);
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
            emit(
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

    /**
     * Records a refused message as a REFUSED history row and event. The same refusal again (the newest refusal of
     * the ticket, same attempt and reason), or any refusal once the ticket has {@link #MAX_REFUSAL_ROWS} of them, is
     * counted on the newest row instead, with no event: a flood of copies grows neither the store nor the events.
     *
     * @return whether a new row was written
     */
    boolean refuse(Step s, TicketRow t, int attempt, String why) throws SQLException {
        s.flushHistory();
        RefusalStore.Refusals earlier = refusals.refusals(s.c, t.runId(), t.id());
        if (earlier.newest().isPresent()) {
            HistoryRow last = earlier.newest().get();
            boolean same = java.util.Objects.equals(last.attempt(), attempt) && why.equals(last.detail());
            if (same || earlier.count() >= MAX_REFUSAL_ROWS) {
                refusals.repeated(s.c, t.runId(), last.seq(), s.now);
                return false;
            }
        }
        log.append(
                s,
                new HistoryRow(
                        s.nextHistorySeq(),
                        t.runId(),
                        t.id(),
                        t.stage(),
                        attempt,
                        TicketStatus.REFUSED.name(),
                        t.agent(),
                        t.agent(),
                        why,
                        s.now));
        return true;
    }

    /** A tool call the agent reports with its reply: {@code tool {arguments} -> output}, or {@code ... failed: error}. */
    void toolCall(Step s, TicketRow t, int attempt, JsonNode call) throws SQLException {
        String detail = call.path("tool").asText() + " " + Json.write(call.path("arguments"))
                + (call.hasNonNull("error")
                        ? " failed: " + call.path("error").asText()
                        : " -> " + Json.write(call.path("output")));
        log.append(
                s,
                new HistoryRow(
                        s.nextHistorySeq(),
                        t.runId(),
                        t.id(),
                        t.stage(),
                        attempt,
                        TicketStatus.TOOL_CALL.name(),
                        t.agent(),
                        t.agent(),
                        detail.length() > 4000 ? detail.substring(0, 4000) + "..." : detail,
                        s.now));
    }

    void history(Step s, TicketRow t, String status, String detail) throws SQLException {
        log.append(
                s,
                new HistoryRow(
                        s.nextHistorySeq(),
                        t.runId(),
                        t.id(),
                        t.stage(),
                        t.attempt(),
                        status,
                        t.agent(),
                        ENGINE,
                        detail,
                        s.now));
    }

    /** A history row about a stage or the run rather than one ticket. */
    void note(Step s, String stage, String status, String detail) throws SQLException {
        append(
                s,
                new HistoryRow(s.nextHistorySeq(), s.run.id(), null, stage, null, status, null, ENGINE, detail, s.now));
    }

    /** Appends a history row; its event and any webhook delivery go out with the transition. */
    void append(Step s, HistoryRow h) throws SQLException {
        log.append(s, h);
    }

    void emit(Step s, Outgoing m) throws SQLException {
        log.emit(s, m);
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

    /** Scheduled delivery has millisecond precision; a lease never ends before its message can arrive. */
    private static Instant ceilMillis(Instant i) {
        Instant floor = i.truncatedTo(ChronoUnit.MILLIS);
        return floor.equals(i) ? i : floor.plusMillis(1);
    }
}
