package dev.baton.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Json;
import dev.baton.ticket.Rows.HistoryRow;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.UUID;

/**
 * The public shape of a run's events: one per history row, published on {@code baton.events}, served by
 * {@code GET /api/runs/{id}/events} and posted to webhooks. The fields are always present (null when they do not
 * apply), so a consumer can rely on the shape.
 */
public final class Events {
    private static final String RUN = "RUN_";
    private static final String STAGE = "STAGE_";
    /** Statuses whose detail is the reason something failed. */
    private static final Set<String> ERRORS = Set.of("FAILED", "COMPENSATING", "COMPENSATED");

    private Events() {}

    /**
     * The event's id: the same for the same run and history number, so a copy re-sent after a crash carries the id
     * of the first (the broker's duplicate detection drops it, and a subscriber can deduplicate on it).
     */
    public static String id(String runId, int seq) {
        return UUID.nameUUIDFromBytes(("baton-event/" + runId + "/" + seq).getBytes(StandardCharsets.UTF_8))
                .toString();
    }

    /**
     * The event of one history row: {@code type} is {@code run}, {@code stage} or {@code ticket}; {@code status} is
     * the new status without the history's {@code RUN_}/{@code STAGE_} prefix; {@code seq} orders a run's events.
     */
    public static ObjectNode of(String pipeline, HistoryRow h) {
        String type;
        String status = h.status();
        if (h.ticketId() != null) {
            type = "ticket";
        } else if (status.startsWith(RUN)) {
            type = "run";
            status = status.substring(RUN.length());
        } else if (status.startsWith(STAGE)) {
            type = "stage";
            status = status.substring(STAGE.length());
        } else {
            // SKIPPED, SPLIT and ITERATION name their stage; the PENDING tickets a failing run cancels at once have
            // neither a stage nor one ticket id.
            type = h.stage() != null ? "stage" : "ticket";
        }
        ObjectNode e = Json.object()
                .put("id", id(h.runId(), h.seq()))
                .put("type", type)
                .put("runId", h.runId())
                .put("pipeline", pipeline)
                .put("seq", h.seq())
                .put("at", h.at().toString())
                .put("status", status)
                .put("stage", h.stage())
                .put("ticketId", h.ticketId())
                .put("attempt", h.attempt())
                .put("agent", h.agent())
                .put("actor", h.actor())
                .put("detail", h.detail());
        e.put("error", ERRORS.contains(status) ? h.detail() : null);
        return e;
    }
}
