package dev.baton.ticket;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/** Where runs started over JMS send their final result: each submitter's reply destination and correlation id. */
public final class ReplyStore {

    /**
     * A JMS reply address as the outbox names destinations ({@code queue:<name>}, {@code topic:<name>}); the
     * correlation id is empty when the submitter gave none and its message had no id.
     */
    public record ReplyTo(String destination, String correlationId) {}

    /** Adds a reply address to the run (the caller holds the run's lock); the same one twice is kept once. */
    public void add(Connection c, String runId, ReplyTo reply, Instant now) throws SQLException {
        String correlation = reply.correlationId() == null ? "" : reply.correlationId();
        if (Sql.one(
                        c,
                        "SELECT 1 FROM run_reply WHERE run_id = ? AND destination = ? AND correlation_id = ?",
                        rs -> 1,
                        runId,
                        reply.destination(),
                        correlation)
                .isEmpty()) {
            Sql.update(
                    c,
                    "INSERT INTO run_reply (run_id, destination, correlation_id, created_at) VALUES (?,?,?,?)",
                    runId,
                    reply.destination(),
                    correlation,
                    now);
        }
    }

    /** The run's pending reply addresses, oldest first, and forgets them: the caller sends them in this transaction. */
    public List<ReplyTo> take(Connection c, String runId) throws SQLException {
        List<ReplyTo> replies = Sql.list(
                c,
                "SELECT destination, correlation_id FROM run_reply WHERE run_id = ? " + "ORDER BY created_at",
                rs -> new ReplyTo(rs.getString(1), rs.getString(2).isEmpty() ? null : rs.getString(2)),
                runId);
        if (!replies.isEmpty()) {
            Sql.update(c, "DELETE FROM run_reply WHERE run_id = ?", runId);
        }
        return replies;
    }
}
