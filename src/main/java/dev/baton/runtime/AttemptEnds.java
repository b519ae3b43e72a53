package dev.baton.runtime;

import dev.baton.ticket.Rows.Outgoing;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.TicketRow;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Ends of an attempt that come from outside its agent's replies: a lease or queue deadline that ran out, the instance
 * holding it gone, an approval's timeout. Each is a coordinator message applied in the transaction the coordinator
 * route began, whose idempotent consumer has just recorded the message's id in the inbox.
 */
// try-with-resources whose resource is never read: its LogContext scopes set the log lines' ticket id.
@SuppressWarnings("try")
final class AttemptEnds {
    private final RunSteps steps;
    private final RunStore store;
    private final Tickets tickets;
    private final Stages stages;
    private final Attempts attempts;

    AttemptEnds(RunSteps steps, Stages stages, Attempts attempts) {
        this.steps = steps;
        this.store = steps.store();
        this.tickets = stages.tickets();
        this.stages = stages;
        this.attempts = attempts;
    }

    /** A lease message came due: an attempt still in flight past its lease has timed out. */
    List<Outgoing> onLease(String ticketId, int attempt) {
        return onCurrentAttempt(ticketId, attempt, (s, t) -> {
            if (tickets.leaseExpired(s, t)) {
                s.timedOut = true;
                attempts.failed(s, t, Tickets.leaseDetail(Attempts.policy(s, t).timeout(), t.attempt()), true);
            }
        });
    }

    /**
     * An attempt's ticket expired in its agent's queue (its stage's {@code deadline} passed before any agent took
     * it; the broker moved it to {@code baton.tickets.expired}): a timeout of that attempt, like a lease's end.
     */
    List<Outgoing> onExpired(String ticketId, int attempt) {
        return onCurrentAttempt(ticketId, attempt, (s, t) -> {
            s.timedOut = true;
            attempts.failed(
                    s, t, Tickets.deadlineDetail(Attempts.policy(s, t).deadline(), t.attempt(), t.agent()), true);
        });
    }

    /** What ends an attempt: a lease or deadline that ran out, the instance holding it gone. */
    @FunctionalInterface
    private interface AttemptEnd {
        void apply(Step s, TicketRow t) throws SQLException;
    }

    /**
     * The one path for everything that ends an attempt from outside (lease, deadline, instance DOWN): applied once per
     * inbound message (the coordinator route's inbox), and only to the ticket's current, active attempt, so a repeated
     * or late message (a duplicate expiry, a lease check after the reply) changes nothing.
     */
    private List<Outgoing> onCurrentAttempt(String ticketId, int attempt, AttemptEnd end) {
        return onTicket(ticketId, (s, t) -> {
            if (Attempts.refusal(s, t, attempt) != null) {
                return false; // answered, superseded or cancelled in the meantime
            }
            end.apply(s, t);
            return true;
        });
    }

    /** What a timer does to its ticket's locked run; false when it did nothing, and the run is left unsaved. */
    @FunctionalInterface
    private interface TimerWork {
        boolean apply(Step s, TicketRow t) throws SQLException;
    }

    /** Applies a timer of Baton's own to its ticket, unless the ticket's run no longer exists. */
    private List<Outgoing> onTicket(String ticketId, TimerWork work) {
        try (LogContext ticket = LogContext.ticket(ticketId);
                LogContext run = LogContext.run(null)) {
            return steps.events(c -> {
                Optional<Step> found = steps.timerStep(c, ticketId);
                if (found.isEmpty()) {
                    return List.of();
                }
                Step s = found.get();
                TicketRow t = store.ticketRows().ticket(c, ticketId).orElseThrow();
                if (!work.apply(s, t)) {
                    return List.of();
                }
                steps.save(s);
                return s.outgoing;
            });
        }
    }

    /**
     * An instance that held this attempt went DOWN: its lease ends now, whether or not the stage has a timeout (without
     * one the attempt would wait for ever), and attempt + 1 is dispatched at once — the work did not fail, so this
     * never fails the stage (it does count towards the retry budget of later failures). A reply the dead instance
     * sends after all is refused: its attempt is no longer current.
     */
    List<Outgoing> onInstanceDown(String ticketId, int attempt, String instance, String lastHeartbeat) {
        return onCurrentAttempt(ticketId, attempt, (s, t) -> {
            tickets.redispatch(
                    s,
                    t,
                    Attempts.policy(s, t),
                    "instance " + instance + " of agent " + t.agent() + " is DOWN (last heartbeat " + lastHeartbeat
                            + "); lease ended on attempt " + t.attempt());
            stages.retrying(s, t);
        });
    }

    /** An approval stage's timeout came due. */
    List<Outgoing> onApprovalTimeout(String ticketId, int attempt) {
        return onTicket(ticketId, (s, t) -> {
            s.later.add(new Step.Call(Stages.uri(s, t.stage(), "timeout"), new ApprovalSteps.Timeout(t, attempt)));
            return true;
        });
    }
}
