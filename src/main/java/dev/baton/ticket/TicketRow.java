package dev.baton.ticket;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One unit of work for one agent; {@code attempt} fences stale replies.
 *
 * @param item index within the stage (for_each item, multi-agent agent), or -1 for the stage's compensation
 * @param iteration loop iteration (0 outside loops)
 * @param label what people see: the stage name, a for_each template name, "compensate x"
 * @param queuedAt when the current attempt became deliverable (after any retry back-off), for its queue wait
 * @param runningAt when the agent was first heard from (a progress report) on the current attempt
 */
public record TicketRow(
        String id,
        String runId,
        String stage,
        int iteration,
        int item,
        String label,
        int attempt,
        int baseAttempt,
        String agent,
        TicketStatus status,
        JsonNode input,
        JsonNode output,
        String error,
        Instant leaseUntil,
        Instant createdAt,
        Instant updatedAt,
        Instant queuedAt,
        Instant runningAt) {
    public static final int COMPENSATION = -1;

    public TicketRow with(TicketStatus newStatus, Instant now) {
        return copy(d -> {
            d.status = newStatus;
            d.updatedAt = now;
        });
    }

    /** The agent was first heard from on the current attempt, by a progress report. */
    public TicketRow running(Instant now) {
        return copy(d -> {
            d.status = TicketStatus.RUNNING;
            d.updatedAt = now;
            d.runningAt = now;
        });
    }

    public TicketRow ended(TicketStatus newStatus, JsonNode out, String why, Instant now) {
        return copy(d -> {
            d.status = newStatus;
            d.output = out;
            d.error = why;
            d.updatedAt = now;
        });
    }

    /** Attempt {@code n}, queued for its agent from {@code deliverAt}. */
    public TicketRow attempt(int n, Instant lease, Instant now, Instant deliverAt) {
        return copy(d -> {
            d.attempt = n;
            d.status = TicketStatus.QUEUED;
            d.output = null;
            d.error = null;
            d.leaseUntil = lease;
            d.updatedAt = now;
            d.queuedAt = deliverAt;
            d.runningAt = null;
        });
    }

    public TicketRow lease(Instant until, Instant now) {
        return copy(d -> {
            d.leaseUntil = until;
            d.updatedAt = now;
        });
    }

    /** The same ticket for another agent (an {@code agentSelector} chose again). */
    public TicketRow withAgent(String newAgent) {
        return copy(d -> d.agent = newAgent);
    }

    /** Attempts made in this try (since the last rerun revived the row). */
    public int attemptsThisTry() {
        return attempt - baseAttempt;
    }

    public boolean compensation() {
        return item == COMPENSATION;
    }

    /**
     * This row made new for a rerun: what {@code fresh} says (label, agent, status, input), with this row's id and
     * attempt count, so the next attempt is numbered on; the attempts so far become the base, so the retry budget
     * starts again.
     */
    public TicketRow revived(TicketRow fresh, Instant now) {
        return copy(d -> {
            d.label = fresh.label();
            d.baseAttempt = attempt;
            d.agent = fresh.agent();
            d.status = fresh.status();
            d.input = fresh.input();
            d.output = null;
            d.error = null;
            d.leaseUntil = null;
            d.updatedAt = now;
        });
    }

    /** This row with what {@code change} sets on a draft of it: the fields it leaves alone stay as they are. */
    private TicketRow copy(java.util.function.Consumer<Draft> change) {
        Draft d = new Draft(this);
        change.accept(d);
        return d.row();
    }

    /** The fields a transition may change, as a mutable draft; the ids and the slot never change. */
    private static final class Draft {
        private final TicketRow from;
        String label;
        int attempt;
        int baseAttempt;
        String agent;
        TicketStatus status;
        JsonNode input;
        JsonNode output;
        String error;
        Instant leaseUntil;
        Instant updatedAt;
        Instant queuedAt;
        Instant runningAt;

        Draft(TicketRow r) {
            from = r;
            label = r.label;
            attempt = r.attempt;
            baseAttempt = r.baseAttempt;
            agent = r.agent;
            status = r.status;
            input = r.input;
            output = r.output;
            error = r.error;
            leaseUntil = r.leaseUntil;
            updatedAt = r.updatedAt;
            queuedAt = r.queuedAt;
            runningAt = r.runningAt;
        }

        TicketRow row() {
            return new TicketRow(
                    from.id,
                    from.runId,
                    from.stage,
                    from.iteration,
                    from.item,
                    label,
                    attempt,
                    baseAttempt,
                    agent,
                    status,
                    input,
                    output,
                    error,
                    leaseUntil,
                    from.createdAt,
                    updatedAt,
                    queuedAt,
                    runningAt);
        }
    }
}
