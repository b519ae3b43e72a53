package dev.baton.ticket;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * When a ticket's current attempt became deliverable and when its agent was first heard from, kept beside the
 * ticket row for the queue-wait and processing-time metrics; and the tickets and runs in flight.
 */
public final class TicketTimes {

    /** The attempt is on its agent's queue from {@code at} (after any retry back-off); it is not running yet. */
    public void queued(Connection c, String ticketId, Instant at) throws SQLException {
        Sql.update(c, "UPDATE ticket SET queued_at = ?, running_at = NULL WHERE id = ?", at, ticketId);
    }

    /** The agent was first heard from (progress or reply); returns when the attempt was queued, if known. */
    public Optional<Instant> running(Connection c, String ticketId, Instant at) throws SQLException {
        Optional<Instant> queued = time(c, "queued_at", ticketId);
        Sql.update(c, "UPDATE ticket SET running_at = ? WHERE id = ?", at, ticketId);
        return queued;
    }

    /** When the current attempt became deliverable, if known. */
    public Optional<Instant> queuedAt(Connection c, String ticketId) throws SQLException {
        return time(c, "queued_at", ticketId);
    }

    /** When the agent was first heard from on the current attempt, if known. */
    public Optional<Instant> runningSince(Connection c, String ticketId) throws SQLException {
        return time(c, "running_at", ticketId);
    }

    private static Optional<Instant> time(Connection c, String column, String ticketId) throws SQLException {
        return Sql.list(c, "SELECT " + column + " FROM ticket WHERE id = ?", rs -> Sql.instant(rs, 1), ticketId)
                .stream()
                .filter(java.util.Objects::nonNull)
                .findFirst();
    }

    /** Tickets QUEUED or RUNNING, per agent. */
    public Map<String, Integer> inFlight(Connection c) throws SQLException {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Object[] row : Sql.list(
                c,
                "SELECT agent, COUNT(*) FROM ticket WHERE status IN ('QUEUED', 'RUNNING') "
                        + "GROUP BY agent ORDER BY agent",
                rs -> new Object[] {rs.getString(1), rs.getInt(2)})) {
            out.put(row[0] == null ? "" : (String) row[0], (Integer) row[1]);
        }
        return out;
    }

    /** Runs RUNNING or COMPENSATING, per pipeline. */
    public Map<String, Integer> runsInFlight(Connection c) throws SQLException {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Object[] row : Sql.list(
                c,
                "SELECT pipeline, COUNT(*) FROM run WHERE status IN ('RUNNING', 'COMPENSATING') "
                        + "GROUP BY pipeline ORDER BY pipeline",
                rs -> new Object[] {rs.getString(1), rs.getInt(2)})) {
            out.put((String) row[0], (Integer) row[1]);
        }
        return out;
    }
}
