package dev.baton.ticket;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/** Finds and deletes finished runs with everything recorded about them; every method works in the caller's transaction. */
public final class RetentionStore {
    /** The statuses a run never leaves by itself; only a rerun (which locks the run row) revives FAILED and the like. */
    private static final String FINISHED = "('SUCCEEDED', 'FAILED', 'COMPENSATED', 'CANCELLED')";

    /**
     * The rows that belong to a run, children first. Webhook attempts and ticket holders hang off a delivery and a
     * ticket, so they are found through them.
     */
    private static final List<String> DELETES = List.of(
            "DELETE FROM webhook_attempt WHERE delivery_id IN (SELECT id FROM webhook_delivery WHERE run_id = ?)",
            "DELETE FROM webhook_delivery WHERE run_id = ?",
            "DELETE FROM ticket_holder WHERE ticket_id IN (SELECT id FROM ticket WHERE run_id = ?)",
            "DELETE FROM ticket_history WHERE run_id = ?",
            "DELETE FROM ticket WHERE run_id = ?",
            "DELETE FROM run_stage WHERE run_id = ?",
            "DELETE FROM run_reply WHERE run_id = ?",
            "DELETE FROM run WHERE id = ?");

    /** A run's webhook delivery still being attempted: the run is kept until it is delivered or given up. */
    private static final String NOTIFYING =
            "EXISTS (SELECT 1 FROM webhook_delivery d WHERE d.run_id = run.id AND d.status = 'PENDING')";

    /**
     * Up to {@code limit} ids of runs that finished before {@code before} and have no webhook delivery pending, oldest
     * first. Nothing is locked.
     */
    public List<String> finishedBefore(Connection c, Instant before, int limit) throws SQLException {
        return Sql.list(
                c,
                "SELECT id FROM run WHERE finished_at < ? AND status IN " + FINISHED + " AND NOT " + NOTIFYING
                        + " ORDER BY finished_at, id FETCH FIRST " + limit + " ROWS ONLY",
                rs -> rs.getString(1),
                before);
    }

    /**
     * Deletes the run and its stages, tickets, history, holders, pending JMS answers and webhook deliveries, if it is
     * still finished before {@code before} once its row is locked (a rerun may have revived it since it was found)
     * and none of its webhook deliveries is still being attempted.
     *
     * @return whether the run was deleted
     */
    public boolean delete(Connection c, String runId, Instant before) throws SQLException {
        boolean finished = Sql.one(
                        c,
                        "SELECT 1 FROM run WHERE id = ? AND finished_at < ? AND status IN " + FINISHED + " FOR UPDATE",
                        rs -> 1,
                        runId,
                        before)
                .isPresent();
        if (!finished
                || Sql.one(c, "SELECT 1 FROM run WHERE id = ? AND " + NOTIFYING, rs -> 1, runId)
                        .isPresent()) {
            return false;
        }
        for (String sql : DELETES) {
            Sql.update(c, sql, runId);
        }
        return true;
    }
}
