package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.pipeline.Json;
import dev.baton.ticket.RefusalStore;
import dev.baton.ticket.Rows.HistoryRow;
import dev.baton.ticket.Rows.Outgoing;
import dev.baton.ticket.TicketRow;
import dev.baton.ticket.TicketStatus;
import java.sql.SQLException;

/**
 * What a ticket's life writes to its run's history (a row per change, a refusal counted rather than repeated, the
 * agent's tool calls) and the messages it emits, both through the run's {@link EventLog}.
 */
final class TicketHistory {
    /** REFUSED rows one ticket may have; later refusals are counted on the newest (see {@link #refuse}). */
    static final int MAX_REFUSAL_ROWS = 20;

    private final RefusalStore refusals = new RefusalStore();
    private final EventLog log;

    TicketHistory(EventLog log) {
        this.log = log;
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
        ticketRow(s, t, attempt, TicketStatus.REFUSED.name(), t.agent(), why);
        return true;
    }

    /** A tool call the agent reports with its reply: {@code tool {arguments} -> output}, or {@code ... failed: error}. */
    void toolCall(Step s, TicketRow t, int attempt, JsonNode call) throws SQLException {
        String detail = call.path("tool").asText() + " " + Json.write(call.path("arguments"))
                + (call.hasNonNull("error")
                        ? " failed: " + call.path("error").asText()
                        : " -> " + Json.write(call.path("output")));
        ticketRow(
                s,
                t,
                attempt,
                TicketStatus.TOOL_CALL.name(),
                t.agent(),
                detail.length() > 4000 ? detail.substring(0, 4000) + "..." : detail);
    }

    void history(Step s, TicketRow t, String status, String detail) throws SQLException {
        ticketRow(s, t, t.attempt(), status, Tickets.ENGINE, detail);
    }

    /** A history row about attempt {@code attempt} of ticket {@code t}, written by {@code actor}. */
    private void ticketRow(Step s, TicketRow t, int attempt, String status, String actor, String detail)
            throws SQLException {
        log.append(
                s,
                new HistoryRow(
                        s.nextHistorySeq(),
                        t.runId(),
                        t.id(),
                        t.stage(),
                        attempt,
                        status,
                        t.agent(),
                        actor,
                        detail,
                        s.now));
    }

    /** A history row about a stage or the run rather than one ticket. */
    void note(Step s, String stage, String status, String detail) throws SQLException {
        append(
                s,
                new HistoryRow(
                        s.nextHistorySeq(),
                        s.run.id(),
                        null,
                        stage,
                        null,
                        status,
                        null,
                        Tickets.ENGINE,
                        detail,
                        s.now));
    }

    /** Appends a history row; its event and any webhook delivery go out with the transition. */
    void append(Step s, HistoryRow h) throws SQLException {
        log.append(s, h);
    }

    void emit(Step s, Outgoing m) throws SQLException {
        log.emit(s, m);
    }
}
