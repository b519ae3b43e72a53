package dev.baton.ticket;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One unit of work for one agent; {@code attempt} fences stale replies.
 *
 * @param item index within the stage (for_each item, multi-agent agent), or -1 for the stage's compensation
 * @param iteration loop iteration (0 outside loops)
 * @param label what people see: the stage name, a for_each template name, "compensate x"
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
        Instant updatedAt) {
    public static final int COMPENSATION = -1;

    public TicketRow with(TicketStatus newStatus, Instant now) {
        return new TicketRow(
                id,
                runId,
                stage,
                iteration,
                item,
                label,
                attempt,
                baseAttempt,
                agent,
                newStatus,
                input,
                output,
                error,
                leaseUntil,
                createdAt,
                now);
    }

    public TicketRow ended(TicketStatus newStatus, JsonNode out, String why, Instant now) {
        return new TicketRow(
                id,
                runId,
                stage,
                iteration,
                item,
                label,
                attempt,
                baseAttempt,
                agent,
                newStatus,
                input,
                out,
                why,
                leaseUntil,
                createdAt,
                now);
    }

    public TicketRow attempt(int n, Instant lease, Instant now) {
        return new TicketRow(
                id,
                runId,
                stage,
                iteration,
                item,
                label,
                n,
                baseAttempt,
                agent,
                TicketStatus.QUEUED,
                input,
                null,
                null,
                lease,
                createdAt,
                now);
    }

    public TicketRow lease(Instant until, Instant now) {
        return new TicketRow(
                id,
                runId,
                stage,
                iteration,
                item,
                label,
                attempt,
                baseAttempt,
                agent,
                status,
                input,
                output,
                error,
                until,
                createdAt,
                now);
    }

    /** The same ticket for another agent (an {@code agentSelector} chose again). */
    public TicketRow withAgent(String newAgent) {
        return new TicketRow(
                id,
                runId,
                stage,
                iteration,
                item,
                label,
                attempt,
                baseAttempt,
                newAgent,
                status,
                input,
                output,
                error,
                leaseUntil,
                createdAt,
                updatedAt);
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
        return new TicketRow(
                id,
                runId,
                stage,
                iteration,
                item,
                fresh.label(),
                attempt,
                attempt,
                fresh.agent(),
                fresh.status(),
                fresh.input(),
                null,
                null,
                null,
                createdAt,
                now);
    }
}
