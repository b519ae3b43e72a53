package dev.baton.ticket;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Agent instances (heartbeats, UP/DOWN) and which instance holds which ticket attempt: the JDBC side. */
public final class AgentStore {
    /** One instance of one agent as the database knows it. */
    public record InstanceRow(
            String agent,
            String instance,
            String status,
            Instant firstSeen,
            Instant lastHeartbeat,
            Instant downAt,
            String inFlight) {}

    /** A ticket's current attempt, for failover. */
    public record HeldTicket(String ticketId, int attempt, String agent) {}

    private static final String COLS = "agent, instance, status, first_seen, last_heartbeat, down_at, in_flight";

    /**
     * Records a heartbeat at {@code now}; the instance is UP from here. Returns the status it had before (null when
     * it is new), so the caller can log a recovery.
     */
    public String heartbeat(Connection c, String agent, String instance, Instant now, String inFlight)
            throws SQLException {
        var before = Sql.one(
                c,
                "SELECT status FROM agent_instance WHERE agent = ? AND instance = ? FOR UPDATE",
                rs -> rs.getString(1),
                agent,
                instance);
        if (before.isEmpty()) {
            Sql.update(c, Sql.insert("agent_instance", COLS), agent, instance, "UP", now, now, null, inFlight);
            return null;
        }
        Sql.update(
                c,
                "UPDATE agent_instance SET status = 'UP', down_at = NULL, in_flight = ?, "
                        + "last_heartbeat = CASE WHEN last_heartbeat > ? THEN last_heartbeat ELSE ? END "
                        + "WHERE agent = ? AND instance = ?",
                inFlight,
                now,
                now,
                agent,
                instance);
        return before.get();
    }

    /** Whether the instance has sent a heartbeat before. */
    public boolean known(Connection c, String agent, String instance) throws SQLException {
        return Sql.one(c, "SELECT 1 FROM agent_instance WHERE agent = ? AND instance = ?", rs -> 1, agent, instance)
                .isPresent();
    }

    /**
     * Counts the agent's instances with their rows locked until commit: two new instances registering at once (two
     * heartbeat consumers, several Baton processes) then count one after the other, not both under the limit.
     */
    public int countLocked(Connection c, String agent) throws SQLException {
        return Sql.list(c, "SELECT instance FROM agent_instance WHERE agent = ? FOR UPDATE", rs -> 1, agent)
                .size();
    }

    /** Deletes the agent's instance that has been DOWN the longest; false when none is DOWN. */
    public boolean forgetOldestDown(Connection c, String agent) throws SQLException {
        var oldest = Sql.one(
                c,
                "SELECT instance FROM agent_instance WHERE agent = ? AND status = 'DOWN' "
                        + "ORDER BY down_at, instance FETCH FIRST 1 ROWS ONLY",
                rs -> rs.getString(1),
                agent);
        if (oldest.isEmpty()) {
            return false;
        }
        return Sql.update(
                        c,
                        "DELETE FROM agent_instance WHERE agent = ? AND instance = ? AND status = 'DOWN'",
                        agent,
                        oldest.get())
                == 1;
    }

    public List<InstanceRow> instances(Connection c) throws SQLException {
        return Sql.list(c, "SELECT " + COLS + " FROM agent_instance ORDER BY agent, instance", AgentStore::row);
    }

    /** UP instances whose name ends with {@code suffix} (e.g. {@code @host}), for {@link #markDown} checks. */
    public List<InstanceRow> upEndingWith(Connection c, String suffix) throws SQLException {
        return Sql.list(c, "SELECT " + COLS + " FROM agent_instance WHERE status = 'UP'", AgentStore::row).stream()
                .filter(i -> i.instance().endsWith(suffix))
                .toList();
    }

    /** Whether an instance of the agent is marked UP. */
    public boolean anyUp(Connection c, String agent) throws SQLException {
        return Sql.one(
                        c,
                        "SELECT 1 FROM agent_instance WHERE agent = ? AND status = 'UP' FETCH FIRST 1 ROWS ONLY",
                        rs -> 1,
                        agent)
                .isPresent();
    }

    /** UP instances whose last heartbeat is before {@code cutoff}: candidates to be marked DOWN. */
    public List<InstanceRow> silentSince(Connection c, Instant cutoff) throws SQLException {
        return Sql.list(
                c,
                "SELECT " + COLS + " FROM agent_instance WHERE status = 'UP' AND last_heartbeat < ?",
                AgentStore::row,
                cutoff);
    }

    /** Marks the instance DOWN unless a heartbeat came in meanwhile or another process did it first. */
    public boolean markDown(Connection c, String agent, String instance, Instant cutoff, Instant now)
            throws SQLException {
        return Sql.update(
                        c,
                        "UPDATE agent_instance SET status = 'DOWN', down_at = ? WHERE agent = ? AND instance = ?"
                                + " AND status = 'UP' AND last_heartbeat < ?",
                        now,
                        agent,
                        instance,
                        cutoff)
                == 1;
    }

    /** The newest heartbeat of each agent that has sent one. */
    public Map<String, Instant> lastHeartbeats(Connection c) throws SQLException {
        Map<String, Instant> out = new HashMap<>();
        Sql.list(
                c,
                "SELECT agent, MAX(last_heartbeat) FROM agent_instance GROUP BY agent",
                rs -> out.put(rs.getString(1), Sql.instant(rs, 2)));
        return out;
    }

    /** Tickets per agent by status: {@code {agent: {QUEUED: n, RUNNING: m}}}, active tickets only. */
    public Map<String, Map<String, Integer>> load(Connection c) throws SQLException {
        Map<String, Map<String, Integer>> out = new HashMap<>();
        Sql.list(
                c,
                "SELECT agent, status, COUNT(*) FROM ticket WHERE status IN ('QUEUED', 'RUNNING') "
                        + "AND agent IS NOT NULL GROUP BY agent, status",
                rs -> out.computeIfAbsent(rs.getString(1), a -> new HashMap<>()).put(rs.getString(2), rs.getInt(3)));
        return out;
    }

    /**
     * Records that {@code instance} holds attempt {@code attempt} of the ticket. An instance no heartbeat of which was
     * recorded yet, of an agent that sends heartbeats (another instance of it did), is registered UP by its claim, as
     * if the claim were its first heartbeat: otherwise, dying before that heartbeat was applied, it would have no row
     * to be marked DOWN and its attempts would never be failed over. Agents that send no heartbeats at all keep their
     * claims unregistered (their stage {@code timeout} is their lease). Only the agent's own broker user can claim its
     * tickets, one instance name per ticket at most, so this cannot grow the table faster than the agent's tickets.
     */
    public void hold(Connection c, String ticketId, int attempt, String agent, String instance, Instant now)
            throws SQLException {
        if (Sql.update(
                        c,
                        "UPDATE ticket_holder SET attempt = ?, agent = ?, instance = ?, at = ? WHERE ticket_id = ?",
                        attempt,
                        agent,
                        instance,
                        now,
                        ticketId)
                == 0) {
            Sql.update(
                    c,
                    "INSERT INTO ticket_holder (ticket_id, attempt, agent, instance, at) VALUES (?,?,?,?,?)",
                    ticketId,
                    attempt,
                    agent,
                    instance,
                    now);
        }
        if (known(c, agent, instance)
                || Sql.one(
                                c,
                                "SELECT 1 FROM agent_instance WHERE agent = ? " + "FETCH FIRST 1 ROWS ONLY",
                                rs -> 1,
                                agent)
                        .isEmpty()) {
            return;
        }
        // Two claims of one new instance applied at once: the second insert fails; a savepoint keeps the claim.
        java.sql.Savepoint before = c.setSavepoint();
        try {
            Sql.update(c, Sql.insert("agent_instance", COLS), agent, instance, "UP", now, now, null, null);
            c.releaseSavepoint(before);
        } catch (SQLException e) {
            c.rollback(before);
            if (!known(c, agent, instance)) throw e;
        }
    }

    /** The instance holding the ticket's attempt, if one said so. */
    public java.util.Optional<String> holder(Connection c, String ticketId, int attempt) throws SQLException {
        return Sql.one(
                c,
                "SELECT instance FROM ticket_holder WHERE ticket_id = ? AND attempt = ?",
                rs -> rs.getString(1),
                ticketId,
                attempt);
    }

    /**
     * Active tickets of the agent the instance holds (their current attempt). With {@code orUnheld}, also the agent's
     * RUNNING tickets no instance claimed: when the agent's last instance went DOWN, one of them had them.
     */
    public List<HeldTicket> heldBy(Connection c, String agent, String instance, boolean orUnheld) throws SQLException {
        return Sql.list(
                c,
                "SELECT t.id, t.attempt, t.agent FROM ticket t LEFT JOIN ticket_holder h "
                        + "ON h.ticket_id = t.id AND h.attempt = t.attempt WHERE t.agent = ? AND "
                        + "((t.status IN ('QUEUED', 'RUNNING') AND h.instance = ?) OR (? AND t.status = 'RUNNING' "
                        + "AND h.ticket_id IS NULL))",
                rs -> new HeldTicket(rs.getString(1), rs.getInt(2), rs.getString(3)),
                agent,
                instance,
                orUnheld);
    }

    private static InstanceRow row(java.sql.ResultSet rs) throws SQLException {
        return new InstanceRow(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                Sql.instant(rs, 4),
                Sql.instant(rs, 5),
                Sql.instant(rs, 6),
                rs.getString(7));
    }
}
