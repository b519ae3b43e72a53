package dev.baton.ticket;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Webhook deliveries of run outcomes and every attempt made to POST them. */
public final class WebhookStore {
    private static final String COLS = "id, run_id, event_id, outcome, url, payload, status, attempts, max_attempts, "
            + "next_attempt_at, created_at, updated_at";

    /** What becomes of a delivery. */
    public enum Status {
        /** Not yet delivered; the next attempt is a scheduled message on the broker. */
        PENDING,
        /** An attempt got a 2xx answer. */
        DELIVERED,
        /** Every allowed attempt failed. */
        FAILED
    }

    /** One run outcome to POST to one webhook. */
    public record Delivery(
            String id,
            String runId,
            String eventId,
            String outcome,
            String url,
            String payload,
            Status status,
            int attempts,
            int maxAttempts,
            Instant nextAttemptAt,
            Instant createdAt,
            Instant updatedAt) {

        /** The delivery after attempt {@code n}: its new status and, when it is still pending, its next time. */
        public Delivery attempted(int n, Status newStatus, Instant next, Instant now) {
            return new Delivery(
                    id, runId, eventId, outcome, url, payload, newStatus, n, maxAttempts, next, createdAt, now);
        }
    }

    /** One POST: the HTTP status it was answered with, or why there was no answer. */
    public record Attempt(
            String deliveryId, int attempt, Instant startedAt, Instant finishedAt, Integer statusCode, String error) {}

    public void insert(Connection c, Delivery d) throws SQLException {
        Sql.update(
                c,
                "INSERT INTO webhook_delivery (" + COLS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                d.id(),
                d.runId(),
                d.eventId(),
                d.outcome(),
                d.url(),
                d.payload(),
                d.status().name(),
                d.attempts(),
                d.maxAttempts(),
                d.nextAttemptAt(),
                d.createdAt(),
                d.updatedAt());
    }

    public Optional<Delivery> find(Connection c, String id) throws SQLException {
        return Sql.one(c, "SELECT " + COLS + " FROM webhook_delivery WHERE id = ?", WebhookStore::delivery, id);
    }

    /** The delivery, locked until the transaction ends: two copies of one attempt message cannot both record it. */
    public Optional<Delivery> lock(Connection c, String id) throws SQLException {
        return Sql.one(
                c, "SELECT " + COLS + " FROM webhook_delivery WHERE id = ? FOR UPDATE", WebhookStore::delivery, id);
    }

    /** Records an attempt and the delivery's state after it. */
    public void attempted(Connection c, Attempt a, Delivery after) throws SQLException {
        Sql.update(
                c,
                "INSERT INTO webhook_attempt (delivery_id, attempt, started_at, finished_at, status_code, error) "
                        + "VALUES (?,?,?,?,?,?)",
                a.deliveryId(),
                a.attempt(),
                a.startedAt(),
                a.finishedAt(),
                a.statusCode(),
                a.error());
        Sql.update(
                c,
                "UPDATE webhook_delivery SET status = ?, attempts = ?, next_attempt_at = ?, updated_at = ? "
                        + "WHERE id = ?",
                after.status().name(),
                after.attempts(),
                after.nextAttemptAt(),
                after.updatedAt(),
                after.id());
    }

    /** A run's deliveries, oldest first. */
    public List<Delivery> ofRun(Connection c, String runId) throws SQLException {
        return Sql.list(
                c,
                "SELECT " + COLS + " FROM webhook_delivery WHERE run_id = ? ORDER BY created_at, id",
                WebhookStore::delivery,
                runId);
    }

    /** The attempts of a run's deliveries, in order. */
    public List<Attempt> attemptsOfRun(Connection c, String runId) throws SQLException {
        return Sql.list(
                c,
                "SELECT a.delivery_id, a.attempt, a.started_at, a.finished_at, a.status_code, a.error "
                        + "FROM webhook_attempt a JOIN webhook_delivery d ON d.id = a.delivery_id WHERE d.run_id = ? "
                        + "ORDER BY a.delivery_id, a.attempt",
                rs -> new Attempt(
                        rs.getString(1),
                        rs.getInt(2),
                        Sql.instant(rs, 3),
                        Sql.instant(rs, 4),
                        (Integer) rs.getObject(5),
                        rs.getString(6)),
                runId);
    }

    private static Delivery delivery(ResultSet rs) throws SQLException {
        return new Delivery(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                Status.valueOf(rs.getString(7)),
                rs.getInt(8),
                rs.getInt(9),
                Sql.instant(rs, 10),
                Sql.instant(rs, 11),
                Sql.instant(rs, 12));
    }
}
