package dev.baton.ticket;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The tickets and runs in flight, counted for the metrics. */
public final class TicketTimes {

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
