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
            String requestHash,
            int lastSeq,
            int reruns) {}

    /**
     * The state of one stage within a run. A loop's inner stages have rows named {@code loop/inner}.
     *
     * @param iteration the loop iteration this row belongs to (a loop stage: its current iteration)
     * @param itemsTotal tickets the stage fans out to (for_each items, multi-agent agents)
     * @param itemsNext for_each: the next item to dispatch
     * @param itemsDone tickets that have ended
     * @param doneSeq history number at which the stage succeeded (compensation runs in reverse of it)
     */
    public record StageRow(
            String runId,
            String name,
            TicketStatus status,
            int attempts,
            JsonNode output,
            String error,
            Instant startedAt,
            Instant finishedAt,
            int iteration,
            int itemsTotal,
            int itemsNext,
            int itemsDone,
            Integer doneSeq) {

        public static StageRow waiting(String runId, String name) {
            return new StageRow(runId, name, TicketStatus.WAITING_DEPS, 0, null, null, null, null, 0, 0, 0, 0, null);
        }

        /** The stage has started (or moved on) in {@code status}; the start time is kept from the first time. */
        public StageRow running(TicketStatus newStatus, int attempt, Instant now) {
            return new StageRow(
                    runId,
                    name,
                    newStatus,
                    attempt,
                    null,
                    null,
                    startedAt == null ? now : startedAt,
                    null,
                    iteration,
                    itemsTotal,
                    itemsNext,
                    itemsDone,
                    null);
        }

        public StageRow ended(TicketStatus newStatus, JsonNode out, String why, Instant now, Integer seq) {
            return new StageRow(
                    runId,
                    name,
                    newStatus,
                    attempts,
                    out,
                    why,
                    startedAt == null ? now : startedAt,
                    now,
                    iteration,
                    itemsTotal,
                    itemsNext,
                    itemsDone,
                    seq);
        }

        public StageRow items(int total, int next, int done) {
            return new StageRow(
                    runId,
                    name,
                    status,
                    attempts,
                    output,
                    error,
                    startedAt,
                    finishedAt,
                    iteration,
                    total,
                    next,
                    done,
                    doneSeq);
        }

        /** A fresh row for the given loop iteration. */
        public StageRow reset(int newIteration) {
            return new StageRow(
                    runId, name, TicketStatus.WAITING_DEPS, 0, null, null, null, null, newIteration, 0, 0, 0, null);
        }
    }

    /**
     * One transition in the audit trail of a run; {@code seq} numbers a run's entries from 1, in order. A refusal
     * that came again is counted on its row: {@code repeats} more times, the last at {@code repeatedAt}.
     */
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
            Instant at,
            int repeats,
            Instant repeatedAt) {
        /** A new entry, not repeated (yet). */
        public HistoryRow(
                int seq,
                String runId,
                String ticketId,
                String stage,
                Integer attempt,
                String status,
                String agent,
                String actor,
                String detail,
                Instant at) {
            this(seq, runId, ticketId, stage, attempt, status, agent, actor, detail, at, 0, null);
        }
    }

    /**
     * A message committed with a state change, handed to the broker after the commit.
     *
     * @param storedBody what the outbox row keeps instead of {@code body}, or null for the body itself: a ticket's
     *     large params are kept as {@link OutboxStore#RUN_PARAMS}, since they are already in the run's row
     */
    public record Outgoing(
            String id,
            String destination,
            String body,
            String correlationId,
            String replyTo,
            int priority,
            long deliverAt,
            long expiresAt,
            String storedBody) {
        public Outgoing(
                String id,
                String destination,
                String body,
                String correlationId,
                String replyTo,
                int priority,
                long deliverAt,
                long expiresAt) {
            this(id, destination, body, correlationId, replyTo, priority, deliverAt, expiresAt, null);
        }

        /** The body as its outbox row keeps it. */
        public String stored() {
            return storedBody == null ? body : storedBody;
        }
    }

    /**
     * The schedule of one pipeline as the database knows it.
     *
     * @param chain names the tick times (cron and time zone); ticks of another chain are dropped
     * @param revision the pipeline revision whose schedule params the runs start with
     */
    public record ScheduleRow(String pipeline, String chain, String revision) {}

    /** One stored revision of a pipeline: its content hash, the file it came from and when it was first loaded. */
    public record RevisionRow(String pipeline, String revision, String file, Instant loadedAt) {}
}
