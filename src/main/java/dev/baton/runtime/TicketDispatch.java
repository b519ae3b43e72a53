package dev.baton.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.baton.agent.protocol.Ticket;
import dev.baton.compile.Endpoints;
import dev.baton.compile.Scope;
import dev.baton.pipeline.AgentSelector;
import dev.baton.pipeline.AgentStage;
import dev.baton.pipeline.Json;
import dev.baton.ticket.OutboxStore;
import dev.baton.ticket.Rows.Outgoing;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.TicketRow;
import dev.baton.ticket.TicketStatus;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * Sends an attempt of a ticket to its agent's queue: chooses the agent, writes the row as QUEUED, builds the ticket
 * message with its priority and queue deadline, and arms the attempt's lease check.
 */
// try-with-resources whose resource is never read: its LogContext scope sets the log line's ticket id for the block it
// encloses.
@SuppressWarnings("try")
final class TicketDispatch {
    /** Logged as {@link Tickets}, as before dispatch had a class of its own: log filters name it. */
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Tickets.class);

    private final RunStore store;
    private final TicketHistory history;
    private final TicketTiming timing;
    private final AgentPriorities agentPriorities;
    private final AgentChooser chooser;

    TicketDispatch(
            RunStore store,
            TicketHistory history,
            TicketTiming timing,
            AgentPriorities agentPriorities,
            AgentChooser chooser) {
        this.store = store;
        this.history = history;
        this.timing = timing;
        this.agentPriorities = agentPriorities;
        this.chooser = chooser;
    }

    /**
     * Queues attempt {@code attempt} of the ticket for its agent, delivered after {@code delay}; {@code insert} when
     * the ticket's row does not exist yet.
     */
    TicketRow dispatch(
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
        TicketRow queued = t.attempt(attempt, lease, s.now, deliverAt);
        if (insert) {
            store.ticketRows().insertTicket(s.c, queued);
        } else {
            store.ticketRows().updateTicket(s.c, queued);
        }
        history.history(s, queued, TicketStatus.QUEUED.name(), why);
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
        String body = msg.toJson();
        history.emit(
                s,
                new Outgoing(
                        UUID.randomUUID().toString(),
                        Endpoints.queue(Endpoints.agentQueue(t.agent())),
                        body,
                        t.id(),
                        Endpoints.RESULTS,
                        priority(policy, t.agent()),
                        deliverAt.toEpochMilli(),
                        expires == null ? 0 : expires.toEpochMilli(),
                        stored(msg, body)));
        if (lease != null) {
            armLease(s, queued, lease);
        }
        return queued;
    }

    /** A ticket this long or longer is kept in its outbox row without its params, when that makes it shorter. */
    static final int PARAMS_BY_REFERENCE_FROM = 2048;

    /**
     * The ticket as its outbox row keeps it, or null for its body: large params (every item of a for_each over a list
     * in them carries the whole list) are written once, in the run's row, not once more per ticket.
     */
    static String stored(Ticket msg, String body) {
        if (body.length() < PARAMS_BY_REFERENCE_FROM) {
            return null;
        }
        String stored =
                msg.with(msg.input(), TextNode.valueOf(OutboxStore.RUN_PARAMS)).toJson();
        return stored.length() < body.length() ? stored : null;
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
        history.emit(
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

    /** Scheduled delivery has millisecond precision; a lease never ends before its message can arrive. */
    static Instant ceilMillis(Instant i) {
        Instant floor = i.truncatedTo(ChronoUnit.MILLIS);
        return floor.equals(i) ? i : floor.plusMillis(1);
    }
}
