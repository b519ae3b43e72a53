package dev.baton.ticket;

import dev.baton.ticket.Rows.RevisionRow;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The stored text of every pipeline revision runs were started on, so a run stays on its revision. */
public final class RevisionStore {
    public void savePipelineRevision(
            Connection c, String pipeline, String revision, String file, String source, Instant now)
            throws SQLException {
        if (pipelineSource(c, pipeline, revision).isEmpty()) {
            Sql.update(
                    c,
                    "INSERT INTO pipeline_revision (pipeline, revision, file, source, loaded_at) VALUES (?,?,?,?,?)",
                    pipeline,
                    revision,
                    file,
                    source,
                    now);
        }
    }

    public Optional<String> pipelineSource(Connection c, String pipeline, String revision) throws SQLException {
        return Sql.one(
                c,
                "SELECT source FROM pipeline_revision WHERE pipeline = ? AND revision = ?",
                rs -> rs.getString(1),
                pipeline,
                revision);
    }

    /** Every stored revision of a pipeline, newest first. */
    public List<RevisionRow> revisions(Connection c, String pipeline) throws SQLException {
        return Sql.list(
                c,
                "SELECT pipeline, revision, file, loaded_at FROM pipeline_revision WHERE pipeline = ? "
                        + "ORDER BY loaded_at DESC, revision",
                rs -> new RevisionRow(rs.getString(1), rs.getString(2), rs.getString(3), Sql.instant(rs, 4)),
                pipeline);
    }
}
