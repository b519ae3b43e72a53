package dev.baton.ticket;

import dev.baton.ticket.Rows.ScheduleRow;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Which tick chain and revision are current for each scheduled pipeline (table pipeline_schedule). */
public final class ScheduleStore {

    public Optional<ScheduleRow> find(Connection c, String pipeline) throws SQLException {
        return Sql.one(
                c,
                "SELECT pipeline, chain, revision FROM pipeline_schedule WHERE pipeline = ?",
                rs -> new ScheduleRow(rs.getString(1), rs.getString(2), rs.getString(3)),
                pipeline);
    }

    /**
     * Makes {@code row} the current schedule of its pipeline. Two instances inserting at once: one of them fails on
     * the primary key and retries, and then updates.
     */
    public void put(Connection c, ScheduleRow row, Instant now) throws SQLException {
        int updated = Sql.update(
                c,
                "UPDATE pipeline_schedule SET chain = ?, revision = ?, updated_at = ? WHERE pipeline = ?",
                row.chain(),
                row.revision(),
                now,
                row.pipeline());
        if (updated == 0) {
            Sql.update(
                    c,
                    "INSERT INTO pipeline_schedule (pipeline, chain, revision, updated_at) VALUES (?,?,?,?)",
                    row.pipeline(),
                    row.chain(),
                    row.revision(),
                    now);
        }
    }

    public List<String> pipelines(Connection c) throws SQLException {
        return Sql.list(c, "SELECT pipeline FROM pipeline_schedule ORDER BY pipeline", rs -> rs.getString(1));
    }

    public void remove(Connection c, String pipeline) throws SQLException {
        Sql.update(c, "DELETE FROM pipeline_schedule WHERE pipeline = ?", pipeline);
    }
}
