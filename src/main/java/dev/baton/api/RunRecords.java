package dev.baton.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.compile.PipelineRegistry;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.Pipeline;
import dev.baton.ticket.OutboxStore;
import dev.baton.ticket.Rows.RevisionRow;
import dev.baton.ticket.Rows.RunRow;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.Tx;
import dev.baton.ticket.WebhookStore;
import dev.baton.ticket.WebhookStore.Attempt;
import dev.baton.ticket.WebhookStore.Delivery;
import java.time.Instant;
import java.util.List;

/**
 * What the API shows of the records behind runs and pipelines: a run's webhook deliveries, revisions,
 * and the outbox's depth.
 */
public final class RunRecords {
    private final Tx tx;
    private final RunStore store;
    private final WebhookStore webhooks;
    private final PipelineRegistry pipelines;

    RunRecords(Tx tx, RunStore store, WebhookStore webhooks, PipelineRegistry pipelines) {
        this.tx = tx;
        this.store = store;
        this.webhooks = webhooks;
        this.pipelines = pipelines;
    }

    /** The run's webhook deliveries, oldest first, each with every attempt made. */
    public ArrayNode webhooks(String runId) {
        return tx.run(c -> {
            run(c, runId);
            java.util.Map<String, List<Attempt>> attempts = new java.util.HashMap<>();
            for (Attempt a : webhooks.attemptsOfRun(c, runId)) { // grouped once: linear, not deliveries x attempts
                attempts.computeIfAbsent(a.deliveryId(), k -> new java.util.ArrayList<>())
                        .add(a);
            }
            ArrayNode arr = Json.MAPPER.createArrayNode();
            for (Delivery d : webhooks.ofRun(c, runId)) {
                ObjectNode o = arr.addObject()
                        .put("id", d.id())
                        .put("eventId", d.eventId())
                        .put("outcome", d.outcome())
                        .put("url", d.url())
                        .put("status", d.status().name())
                        .put("attempts", d.attempts())
                        .put("maxAttempts", d.maxAttempts());
                time(o, "nextAttemptAt", d.nextAttemptAt());
                time(o, "createdAt", d.createdAt());
                time(o, "updatedAt", d.updatedAt());
                ArrayNode log = o.putArray("log");
                attempts.getOrDefault(d.id(), List.of()).forEach(a -> {
                    ObjectNode ao = log.addObject().put("attempt", a.attempt());
                    time(ao, "startedAt", a.startedAt());
                    time(ao, "finishedAt", a.finishedAt());
                    ao.put("statusCode", a.statusCode()).put("error", a.error());
                });
            }
            return arr;
        });
    }

    /** Every stored revision of a pipeline, newest first, marking the one new runs get. */
    public ArrayNode revisions(String pipeline) {
        String current = pipelines.current(pipeline).map(Pipeline::revision).orElse(null);
        List<RevisionRow> rows = tx.run(c -> store.revisionRows().revisions(c, pipeline));
        if (rows.isEmpty() && current == null) {
            throw Problem.notFound("pipeline '" + pipeline + "' has never been loaded");
        }
        ArrayNode arr = Json.MAPPER.createArrayNode();
        for (RevisionRow r : rows) {
            ObjectNode o = arr.addObject().put("revision", r.revision());
            time(o, "loadedAt", r.loadedAt());
            o.put("file", r.file()).put("current", r.revision().equals(current));
        }
        return arr;
    }

    /** Outbox rows: messages committed with a transition and not yet sent, or sent and not yet deleted (every 200 ms): zero when Baton is idle. */
    public int outboxDepth() {
        return tx.run(new OutboxStore()::depth);
    }

    private RunRow run(java.sql.Connection c, String runId) throws java.sql.SQLException {
        return store.run(c, runId).orElseThrow(() -> Problem.notFound("run '" + runId + "' does not exist"));
    }

    private static void time(ObjectNode o, String field, Instant t) {
        o.put(field, t == null ? null : t.toString());
    }
}
