package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.compile.Scope;
import dev.baton.pipeline.Stage;
import dev.baton.ticket.AgentStore;
import dev.baton.ticket.Rows.Outgoing;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.StoreException;
import dev.baton.ticket.TicketRow;
import dev.baton.ticket.TicketStatus;
import dev.baton.ticket.Tx;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * Applies an agent's reply (progress, success, failure) to its attempt, in the transaction of the results route whose
 * idempotent consumer has just recorded the reply's message id; a late, stale or foreign reply is refused.
 */
// try-with-resources whose resource is never read: its LogContext scopes set the log lines' run and ticket ids.
@SuppressWarnings("try")
final class AgentReplies {
    /** The engine's logger, as before these events had classes of their own: log filters and the docs name it. */
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RunEngine.class);

    private final RunSteps steps;
    private final RunStore store;
    private final Tickets tickets;
    private final Stages stages;
    private final Attempts attempts;
    private final Spending spending;
    private final Faults faults;
    private final AgentStore agents = new AgentStore();

    /** What a reply's attempt is held to apart from its run's state: its spending, and fault injection in tests. */
    record Checks(Spending spending, Faults faults) {}

    AgentReplies(RunSteps steps, Stages stages, Attempts attempts, Checks checks) {
        this.steps = steps;
        this.store = steps.store();
        this.tickets = stages.tickets();
        this.stages = stages;
        this.attempts = attempts;
        this.spending = checks.spending();
        this.faults = checks.faults();
    }

    /** The run a reply's ticket belongs to, read before its batch: the lane it is applied in. */
    String runOfTicket(AgentReply reply) {
        return store.ticketRows()
                .rememberedRun(reply.ticketId())
                .or(() -> steps.tx().run(c -> store.ticketRows().runOfTicket(c, reply.ticketId())))
                .orElseThrow(() -> new PoisonMessageException("unknown ticket " + reply.ticketId()));
    }

    /**
     * Applies an agent reply in the transaction the results route began, whose idempotent consumer has just
     * recorded the reply's message id; returns the messages to send (the event for a refusal).
     */
    List<Outgoing> applyReply(String messageId, String runId, AgentReply reply) {
        try (LogContext ticket = LogContext.ticket(reply.ticketId());
                LogContext run = LogContext.run(null)) {
            Connection c = Tx.current();
            try {
                return applyReply(c, messageId, runId, reply);
            } catch (UnloadableRevisionException e) {
                return e.outgoing();
            } catch (SQLException e) {
                throw new StoreException(e);
            }
        }
    }

    private List<Outgoing> applyReply(Connection c, String messageId, String runId, AgentReply reply)
            throws SQLException {
        // The ticket is read once its run is locked: what it says then holds until this transaction ends.
        Step s = steps.step(c, store.lockRun(c, runId).orElseThrow(() -> gone(reply.ticketId())));
        TicketRow t = store.ticketRows()
                .ticket(c, reply.ticketId())
                .filter(found -> found.runId().equals(runId))
                .orElseThrow(() -> gone(reply.ticketId()));
        // The broker stamps who sent it: one agent's user cannot answer another agent's ticket.
        String refusal = reply.sender() != null && !reply.sender().equals(t.agent())
                ? "reply sent by broker user '" + reply.sender() + "', not by agent '" + t.agent() + "'"
                : Attempts.refusal(s, t, reply.attempt());
        if (refusal != null) {
            String overBudget = null;
            if (reply.usage() != null
                    && (reply.sender() == null || reply.sender().equals(t.agent()))) {
                // A late or stale reply was refused, but the tokens behind it were spent all the same.
                overBudget = spending.record(s, t, reply.usage());
            }
            if (overBudget != null) {
                tickets.note(s, t.stage(), "BUDGET_EXCEEDED", overBudget);
                stages.failRun(s, overBudget);
            }
            LOG.debug("reply {} to attempt {} refused: {}", messageId, reply.attempt(), refusal);
            boolean recorded = tickets.refuse(
                    s,
                    t,
                    reply.attempt(),
                    refusal + (reply.instance() == null ? "" : " (from instance " + reply.instance() + ")"));
            if (!recorded && reply.usage() == null) {
                // Counted on the refusal's row: keeping its id would grow the inbox by one row per copy. A
                // reply with usage keeps it, so that a redelivery does not count its tokens twice.
                store.inbox().forgetDelivery(c, messageId);
            }
            steps.save(s);
            return s.outgoing; // the REFUSED event, none for a repeat
        }
        // Only progress says "I hold it and work on"; a final reply ends the attempt, so who held it is moot.
        if (reply.instance() != null && reply.kind() == AgentReply.Kind.PROGRESS && t.agent() != null) {
            agents.hold(c, t.id(), t.attempt(), t.agent(), reply.instance(), s.now);
        }
        LOG.debug("applying reply {}: attempt {} {}", messageId, reply.attempt(), reply.kind());
        String overBudget = reply.usage() == null ? null : spending.record(s, t, reply.usage());
        // Tool calls come with the reply that ends the attempt: one that ends it is applied once (its inbox row
        // stays), whereas a progress report may be forgotten and applied again.
        if (reply.kind() != AgentReply.Kind.PROGRESS) {
            for (JsonNode call : reply.toolCalls()) {
                tickets.toolCall(s, t, reply.attempt(), call);
            }
        }
        TicketTiming timing = tickets.timing();
        Instant heard = timing.heard(s, t);
        if (overBudget != null) {
            stopOverBudget(s, t, reply, heard, overBudget);
        } else
            switch (reply.kind()) {
                case PROGRESS -> {
                    TicketRow current =
                            t.status() == TicketStatus.QUEUED ? attempts.started(s, t, progressDetail(reply), true) : t;
                    tickets.renewLease(s, current, Attempts.policy(s, current));
                    if (t.status() == TicketStatus.RUNNING && reply.usage() == null) {
                        // Only renewed a lease, which a redelivery may do again: keeping its id would let an
                        // agent that reports progress in a tight loop grow the inbox by a row a message.
                        store.inbox().forgetDelivery(c, messageId);
                    }
                }
                case SUCCEEDED -> {
                    timing.done(s, t, heard, RunMetrics.Outcome.SUCCEEDED);
                    // Its row is written once, by the success that follows.
                    attempts.succeeded(
                            s,
                            t.status() == TicketStatus.QUEUED ? attempts.started(s, t, null, false) : t,
                            reply.output());
                }
                case FAILED ->
                    timing.done(
                            s,
                            t,
                            heard,
                            attempts.failed(s, t, reply.errorMessage(), reply.retryable())
                                    ? RunMetrics.Outcome.RETRIED
                                    : RunMetrics.Outcome.FAILED);
            }
        steps.save(s);
        faults.pass(Faults.BEFORE_DB_COMMIT);
        faults.pass(faultPoint(s, t));
        return s.outgoing;
    }

    /**
     * The reply took the run past its budget: the reply's own outcome is kept on its ticket, but its stage goes no
     * further and the run fails (compensating what completed), so nothing more is dispatched.
     */
    private void stopOverBudget(Step s, TicketRow t, AgentReply reply, Instant heard, String why) throws SQLException {
        TicketTiming timing = tickets.timing();
        switch (reply.kind()) {
            case SUCCEEDED -> {
                timing.done(s, t, heard, RunMetrics.Outcome.SUCCEEDED);
                tickets.succeed(s, t, reply.output(), "the run's budget is spent: the stage goes no further");
            }
            case FAILED -> {
                timing.done(s, t, heard, RunMetrics.Outcome.FAILED);
                tickets.fail(s, t, reply.errorMessage());
            }
            case PROGRESS -> {} // the attempt in flight is cancelled with the run, and its agent told
        }
        tickets.note(s, t.stage(), "BUDGET_EXCEEDED", why);
        stages.failRun(s, why);
    }

    /** The fault-injection point of the reply being applied, by what the ticket was for. */
    private static String faultPoint(Step s, TicketRow t) {
        if (t.compensation()) {
            return Faults.IN_COMPENSATION;
        }
        Stage stage = Scope.find(s.pipeline, t.stage()).stage();
        return stage instanceof dev.baton.pipeline.ForEachStage
                ? Faults.IN_SPLIT
                : stage instanceof dev.baton.pipeline.MultiAgentStage ? Faults.IN_AGGREGATION : "";
    }

    /** A reply whose ticket or run no longer exists (retention deleted it since the reply was read). */
    private static PoisonMessageException gone(String ticketId) {
        return new PoisonMessageException("the run of ticket " + ticketId + " was deleted");
    }

    private static String progressDetail(AgentReply r) {
        if (r.percent() == null && r.message() == null) {
            return null;
        }
        return (r.percent() == null ? "" : r.percent() + "% ") + (r.message() == null ? "" : r.message());
    }
}
