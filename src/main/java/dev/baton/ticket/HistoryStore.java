package dev.baton.ticket;

import dev.baton.ticket.Rows.HistoryRow;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/** Appends to and reads a run's ticket history; every method works inside the caller's transaction. */
public final class HistoryStore {
    public void history(Connection c, HistoryRow h) throws SQLException {
        history(c, List.of(h));
    }

    /** Inserts history rows in one batch: one round trip for what a transition recorded. */
    public void history(Connection c, List<HistoryRow> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        List<Object[]> values = new java.util.ArrayList<>(rows.size());
        for (HistoryRow h : rows) {
            values.add(new Object[] {
                h.runId(),
                h.seq(),
                h.ticketId(),
                h.stage(),
                h.attempt(),
                h.status(),
                h.agent(),
                h.actor(),
                h.detail(),
                h.at()
            });
        }
        Sql.batch(
                c,
                "INSERT INTO ticket_history (run_id, seq, ticket_id, stage, attempt, status, agent, actor, detail, "
                        + "at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                values);
    }

    static final String HISTORY_COLS =
            "seq, run_id, ticket_id, stage, attempt, status, agent, actor, detail, at, repeats, repeated_at";

    /** The history rows of one attempt of one ticket, in order. */
    public List<HistoryRow> history(Connection c, String runId, String ticketId, int attempt) throws SQLException {
        return Sql.list(
                c,
                "SELECT " + HISTORY_COLS + " "
                        + "FROM ticket_history WHERE run_id = ? AND ticket_id = ? AND attempt = ? ORDER BY seq",
                HistoryStore::historyRow,
                runId,
                ticketId,
                attempt);
    }

    public List<HistoryRow> history(Connection c, String runId) throws SQLException {
        return Sql.list(
                c,
                "SELECT " + HISTORY_COLS + " " + "FROM ticket_history WHERE run_id = ? ORDER BY seq",
                HistoryStore::historyRow,
                runId);
    }

    static HistoryRow historyRow(ResultSet rs) throws SQLException {
        return new HistoryRow(
                rs.getInt(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                (Integer) rs.getObject(5),
                rs.getString(6),
                rs.getString(7),
                rs.getString(8),
                rs.getString(9),
                Sql.instant(rs, 10),
                rs.getInt(11),
                Sql.instant(rs, 12));
    }
}
