package dev.baton.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Pipeline;
import dev.baton.ticket.Rows.Outgoing;
import dev.baton.ticket.Rows.RunRow;
import dev.baton.ticket.Rows.StageRow;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One transition of one run, inside one DB transaction with the run row locked: what it read, and the messages
 * it must emit once the transaction commits.
 */
final class Step {
    final Connection c;
    final Instant now;
    final Pipeline pipeline;
    RunRow run;
    final ObjectNode context;
    final Map<String, StageRow> stages = new LinkedHashMap<>();
    final List<Outgoing> outgoing = new ArrayList<>();
    /** The run's last history number, read once per step (the run is locked, so nobody else appends). */
    private int historySeq = -1;

    Step(Connection c, Instant now, Pipeline pipeline, RunRow run, List<StageRow> stageRows) {
        this.c = c;
        this.now = now;
        this.pipeline = pipeline;
        this.run = run;
        this.context = run.context();
        stageRows.forEach(s -> stages.put(s.name(), s));
    }

    int nextHistorySeq(dev.baton.ticket.RunStore store) throws java.sql.SQLException {
        if (historySeq < 0) {
            historySeq = store.lastHistorySeq(c, run.id());
        }
        return ++historySeq;
    }
}
