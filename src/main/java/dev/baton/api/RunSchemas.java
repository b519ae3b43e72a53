package dev.baton.api;

import static dev.baton.api.SchemaShapes.any;
import static dev.baton.api.SchemaShapes.array;
import static dev.baton.api.SchemaShapes.enumOf;
import static dev.baton.api.SchemaShapes.integer;
import static dev.baton.api.SchemaShapes.nullable;
import static dev.baton.api.SchemaShapes.obj;
import static dev.baton.api.SchemaShapes.ref;
import static dev.baton.api.SchemaShapes.str;
import static dev.baton.api.SchemaShapes.time;
import static dev.baton.api.SchemaShapes.type;

import dev.baton.api.SchemaShapes.Obj;
import io.swagger.v3.oas.models.media.JsonSchema;
import io.swagger.v3.oas.models.media.Schema;
import java.util.Map;

/**
 * The schemas of a run as {@code /api} shows it ({@link RunViews}, {@link RunRecords}): its summary and page, stages,
 * tickets, graph, history, events and webhook deliveries.
 */
final class RunSchemas {
    private RunSchemas() {}

    /** Adds the run's schemas to {@code s}, in the order the OpenAPI document lists them. */
    static void addTo(Map<String, Schema<?>> s) {
        s.put(
                ApiSchemas.RUN_STATUS,
                enumOf("RUNNING", "SUCCEEDED", "FAILED", "COMPENSATING", "COMPENSATED", "CANCELLED"));
        s.put(
                "Spent",
                obj().opt("runs", integer())
                        .req("tokens", integer())
                        .req("costUsd", nullable("number"))
                        .doc(
                                "Tokens and cost spent; costUsd is null when nothing was priced; runs on a pipeline only."));
        s.put(
                "Budget",
                obj().req("tokens", nullable("integer"))
                        .req("costUsd", nullable("number"))
                        .build());
        s.put("RunSummary", runSummary().doc("A run without its stages, as GET /runs lists it."));
        s.put(
                "Run",
                runSummary()
                        .req("context", any())
                        .req("stages", array(ref("Stage")))
                        .req("graph", array(ref("GraphNode")))
                        .req("usage", ref("Spent"))
                        .opt("budget", ref("Budget"))
                        .opt("rerun", array(str()))
                        .doc("A run with its context, stages and tickets; rerun lists the "
                                + "stages a rerun restarted."));
        s.put(
                "RunPage",
                obj().req("items", array(ref("RunSummary")))
                        .req("next", nullable("string"))
                        .doc(
                                "A page of runs, newest first; next is the cursor of the following page, null on the last."));
        s.put(
                "TicketPage",
                obj().req("items", array(ref("Ticket")))
                        .req("next", nullable("string"))
                        .doc("A page of a run's tickets by stage, iteration and item, each naming its stage; next is "
                                + "the cursor of the following page, null on the last."));
        s.put(
                "Stage",
                obj().req("name", str())
                        .req("status", str())
                        .req("attempts", integer())
                        .opt("iteration", integer())
                        .opt(
                                "items",
                                obj().req("total", integer())
                                        .req("dispatched", integer())
                                        .req("done", integer())
                                        .build())
                        .req("output", any())
                        .req("error", nullable("string"))
                        .req("startedAt", time(true))
                        .req("finishedAt", time(true))
                        .req("tickets", array(ref("Ticket")))
                        .req("ticketCount", integer())
                        .req("ticketsNext", nullable("string"))
                        .opt("usage", usage())
                        .build());
        s.put(
                "Ticket",
                obj().req("id", str())
                        .opt("stage", str())
                        .req("agent", nullable("string"))
                        .req("item", nullable("integer"))
                        .req("label", nullable("string"))
                        .req("purpose", enumOf("work", "compensate"))
                        .opt("iteration", integer())
                        .req("attempt", integer())
                        .req("status", str())
                        .req("input", any())
                        .req("output", any())
                        .req("error", nullable("string"))
                        .req("createdAt", time(false))
                        .req("updatedAt", time(false))
                        .opt("usage", usage())
                        .build());
        s.put(
                "GraphNode",
                obj().req("name", str())
                        .req("kind", str())
                        .req("dependsOn", array(str()))
                        .req("agents", array(str()))
                        .opt("approvers", array(str()))
                        .opt("policy", str())
                        .opt("needed", integer())
                        .doc("A stage of the run's pinned revision; a loop's inner stages are " + "named loop/inner."));
        s.put(
                "HistoryEntry",
                obj().req("seq", integer())
                        .req("at", time(false))
                        .req("status", str())
                        .req("stage", nullable("string"))
                        .req("ticketId", nullable("string"))
                        .opt("attempt", integer())
                        .req("agent", nullable("string"))
                        .req("actor", nullable("string"))
                        .req("detail", nullable("string"))
                        .opt("repeats", integer())
                        .opt("repeatedAt", time(false))
                        .build());
        s.put(
                "Event",
                obj().req("id", str())
                        .req("type", enumOf("run", "stage", "ticket"))
                        .req("runId", str())
                        .req("pipeline", str())
                        .req("seq", integer())
                        .req("at", time(false))
                        .req("status", str())
                        .req("stage", nullable("string"))
                        .req("ticketId", nullable("string"))
                        .req("attempt", nullable("integer"))
                        .req("agent", nullable("string"))
                        .req("actor", nullable("string"))
                        .req("detail", nullable("string"))
                        .req("error", nullable("string"))
                        .doc("A transition as published on baton.events."));
        s.put(
                "WebhookDelivery",
                obj().req("id", str())
                        .req("eventId", str())
                        .req("outcome", nullable("string"))
                        .req("url", str())
                        .req("status", str())
                        .req("attempts", integer())
                        .req("maxAttempts", integer())
                        .req("nextAttemptAt", time(true))
                        .req("createdAt", time(false))
                        .req("updatedAt", time(true))
                        .req(
                                "log",
                                array(obj().req("attempt", integer())
                                        .req("startedAt", time(true))
                                        .req("finishedAt", time(true))
                                        .req("statusCode", nullable("integer"))
                                        .req("error", nullable("string"))
                                        .build()))
                        .build());
    }

    private static Obj runSummary() {
        return obj().req("id", str())
                .req("pipeline", str())
                .req("revision", str())
                .req("status", ref(ApiSchemas.RUN_STATUS))
                .req("params", any())
                .opt("idempotencyKey", str())
                .req("error", nullable("string"))
                .req("createdAt", time(false))
                .req("updatedAt", time(false))
                .req("finishedAt", time(true));
    }

    /** Token counts an agent reported: numbers by name. */
    private static Schema<?> usage() {
        JsonSchema s = type("object");
        s.setAdditionalProperties(type("number"));
        return s;
    }
}
