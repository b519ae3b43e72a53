package dev.baton.ticket;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Json;
import java.time.Instant;

/** Run rows for tests that write them through the stores. */
public final class TestRuns {
    private TestRuns() {}

    /** A run of pipeline {@code p}, revision {@code r}, started now and running, with these params. */
    public static Rows.RunRow running(String id, ObjectNode params) {
        Instant now = Instant.now();
        return new Rows.RunRow(
                id, "p", "r", RunStatus.RUNNING, params, Json.object(), null, null, now, now, null, null, 0, 0);
    }
}
