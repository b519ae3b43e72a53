package dev.baton.ticket;

import dev.baton.ticket.Rows.Outgoing;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

/** The transactional outbox: messages written with a state change and deleted once the broker has them. */
public final class OutboxStore {

    public void add(Connection c, Outgoing m, Instant now) throws SQLException {
        Sql.update(
                c,
                "INSERT INTO outbox (id, destination, body, correlation_id, reply_to, priority, deliver_at, "
                        + "expires_at, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                m.id(),
                m.destination(),
                m.body(),
                m.correlationId(),
                m.replyTo(),
                m.priority(),
                m.deliverAt(),
                m.expiresAt(),
                now);
    }

    /** Rows written before {@code before}: left behind by a crash between the DB commit and the send. */
    public List<Outgoing> pending(Connection c, Instant before, int limit) throws SQLException {
        return Sql.list(
                c,
                "SELECT id, destination, body, correlation_id, reply_to, priority, deliver_at, expires_at "
                        + "FROM outbox WHERE created_at < ? ORDER BY created_at FETCH FIRST " + limit + " ROWS ONLY",
                rs -> new Outgoing(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getInt(6),
                        rs.getLong(7),
                        rs.getLong(8)),
                before);
    }

    /** How many messages are committed and not yet handed to the broker. */
    public int depth(Connection c) throws SQLException {
        return Sql.one(c, "SELECT COUNT(*) FROM outbox", rs -> rs.getInt(1)).orElse(0);
    }

    public void delete(Connection c, Collection<String> ids) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        String marks = String.join(",", java.util.Collections.nCopies(ids.size(), "?"));
        Sql.update(c, "DELETE FROM outbox WHERE id IN (" + marks + ")", ids.toArray());
    }
}
