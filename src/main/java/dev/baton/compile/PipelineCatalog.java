package dev.baton.compile;

import dev.baton.pipeline.Pipeline;
import java.sql.Connection;
import java.sql.SQLException;

/** Gives the engine the exact revision of a pipeline a run is pinned to, and records new revisions. */
public interface PipelineCatalog {
    Pipeline pinned(Connection c, String pipeline, String revision) throws SQLException;

    void remember(Connection c, Pipeline pipeline) throws SQLException;
}
