package dev.baton.ticket;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/** The rows of the store, as records; JSON columns are already parsed. */
public final class Rows {
    private Rows() {}

    /** One run of a pipeline, pinned to a revision. */
    public record RunRow(
            String id,
            String pipeline,
            String revision,
            RunStatus status,
            ObjectNode params,
            ObjectNode context,
            String idempotencyKey,
            String error,
            Instant createdAt,
            Instant updatedAt,
            Instant finishedAt,
            String requestHash) {}

    /** The state of one stage within a run. */
    public record StageRow(
            String runId,
            String name,
            TicketStatus status,
            int attempts,
            JsonNode output,
            String error,
            Instant startedAt,
            Instant finishedAt) {}

    /** One unit of work for one agent; {@code attempt} fences stale replies. */
    public record TicketRow(
            String id,
            String runId,
            String stage,
            int item,
            int attempt,
            String agent,
            TicketStatus status,
            JsonNode input,
            JsonNode output,
            String error,
            Instant leaseUntil,
            Instant createdAt,
            Instant updatedAt) {

        public TicketRow with(TicketStatus newStatus, Instant now) {
            return new TicketRow(id, runId, stage, item, attempt, agent, newStatus, input, output, error, leaseUntil, createdAt, now);
        }
    }

    /** One transition in the audit trail of a run; {@code seq} numbers a run's entries from 1, in order. */
    public record HistoryRow(
            int seq,
            String runId,
            String ticketId,
            String stage,
            Integer attempt,
            String status,
            String agent,
            String actor,
            String detail,
            Instant at) {}

    /** A message committed with a state change, handed to the broker after the commit. */
    public record Outgoing(
            String id,
            String destination,
            String body,
            String correlationId,
            String replyTo,
            int priority,
            long deliverAt,
            long expiresAt) {}
}
