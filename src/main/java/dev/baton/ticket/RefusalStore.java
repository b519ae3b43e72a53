package dev.baton.ticket;

import dev.baton.ticket.Rows.HistoryRow;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/** The REFUSED rows of a ticket's history, so that a refusal that comes again is counted instead of written. */
public final class RefusalStore {
    /** The newest REFUSED row of a ticket, if any, and how many REFUSED rows it has. */
    public record Refusals(Optional<HistoryRow> newest, int count) {}

    public Refusals refusals(Connection c, String runId, String ticketId) throws SQLException {
        int count = Sql.one(
                        c,
                        "SELECT COUNT(*) FROM ticket_history WHERE ticket_id = ? AND status = 'REFUSED' "
                                + "AND run_id = ?",
                        rs -> rs.getInt(1),
                        ticketId,
                        runId)
                .orElse(0);
        if (count == 0) {
            return new Refusals(Optional.empty(), 0);
        }
        return new Refusals(
                Sql.one(
                        c,
                        "SELECT " + HistoryStore.HISTORY_COLS + " FROM ticket_history WHERE ticket_id = ? "
                                + "AND status = 'REFUSED' AND run_id = ? ORDER BY seq DESC FETCH FIRST 1 ROWS ONLY",
                        HistoryStore::historyRow,
                        ticketId,
                        runId),
                count);
    }

    /** Counts one more occurrence of the refusal in history row {@code seq} instead of writing a row for it. */
    public void repeated(Connection c, String runId, int seq, Instant now) throws SQLException {
        Sql.update(
                c,
                "UPDATE ticket_history SET repeats = repeats + 1, repeated_at = ? WHERE run_id = ? AND seq = ?",
                now,
                runId,
                seq);
    }
}
