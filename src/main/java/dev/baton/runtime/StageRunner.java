package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.pipeline.Stage;
import dev.baton.ticket.Rows.TicketRow;
import java.sql.SQLException;

/** How one stage kind runs: what starting it does, and what each of its tickets ending does. */
interface StageRunner<S extends Stage> {
    void start(Step s, Scope scope, S stage) throws SQLException;

    void succeeded(Step s, Scope scope, S stage, TicketRow t, JsonNode output) throws SQLException;

    /** A ticket failed for good (its retries are spent, or the failure was not retryable). */
    void failed(Step s, Scope scope, S stage, TicketRow t, String error) throws SQLException;
}
