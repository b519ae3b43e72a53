package dev.baton.api;

import io.swagger.v3.oas.models.media.JsonSchema;
import io.swagger.v3.oas.models.media.Schema;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The JSON Schemas (2020-12, as OpenAPI 3.1 has them) of every body {@code /api} takes and answers, written from the
 * views that render them ({@link RunViews}, {@link RunRecords}, {@link AgentViews}, ...). Objects Baton builds are
 * closed ({@code additionalProperties: false}) so that a field added to a view and not here fails the contract test.
 */
final class ApiSchemas {
    static final String RUN_STATUS = "RunStatus";

    private ApiSchemas() {}

    /** Every component schema, by name. */
    static Map<String, Schema<?>> all() {
        Map<String, Schema<?>> s = new LinkedHashMap<>();
        s.put(
                "Problem",
                obj().req("type", str())
                        .req("title", str())
                        .req("status", integer())
                        .req("detail", str())
                        .req("errors", array(str()))
                        .open()
                        .doc("An error (RFC 9457); errors lists every problem found. "
                                + "Extension members: errorId (a 500's id in the server log), approval (a 409's decided "
                                + "stage)."));
        s.put(RUN_STATUS, enumOf("RUNNING", "SUCCEEDED", "FAILED", "COMPENSATING", "COMPENSATED", "CANCELLED"));
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
        s.put("Pipeline", PipelineSchemas.pipeline());
        s.put(
                "PipelineList",
                obj().req("pipelines", array(ref("Pipeline")))
                        .req(
                                "invalid",
                                array(obj().req("file", str())
                                        .req("errors", array(str()))
                                        .build()))
                        .doc("Loaded pipelines, and files of routes/ that did not load with every error."));
        s.put(
                "Revision",
                obj().req("revision", str())
                        .req("loadedAt", time(false))
                        .req("file", nullable("string"))
                        .req("current", bool())
                        .build());
        s.put(
                "Validation",
                obj().req("valid", bool())
                        .req("pipeline", str())
                        .req("stages", array(str()))
                        .req("waves", array(array(str())))
                        .build());
        s.put(
                "StartParams",
                obj().open()
                        .doc("The run's params, or {\"params\": {...}}; a pipeline's declared "
                                + "params decide which fields are accepted."));
        s.put(
                "DecisionRequest",
                obj().req("decision", enumOf("approve", "reject"))
                        .opt("approver", str())
                        .opt("comment", str())
                        .doc("approver may only name the caller (or anyone when the API is open)."));
        s.put(
                "Decision",
                obj().req("runId", str())
                        .req("stage", str())
                        .req("counted", bool())
                        .req("status", str())
                        .req("outcome", nullable("string"))
                        .req("decisions", array(ref("ApprovalVote")))
                        .build());
        s.put(
                "ApprovalVote",
                obj().req("approver", nullable("string"))
                        .req("decision", str())
                        .req("comment", nullable("string"))
                        .req("at", time(false))
                        .build());
        s.put(
                "WaitingApproval",
                obj().req("runId", str())
                        .req("pipeline", str())
                        .req("stage", str())
                        .req("since", time(false))
                        .req("approvers", array(str()))
                        .req("policy", str())
                        .req("needed", integer())
                        .req("decisions", array(ref("ApprovalVote")))
                        .build());
        s.put("CancelRequest", obj().opt("reason", nullable("string")).build());
        s.put(
                "RerunRequest",
                obj().opt("from", nullable("string"))
                        .doc("The stage to rerun from; absent: the " + "first stage that did not succeed."));
        s.put("PurgeRequest", obj().req("before", str()).doc("A date (2026-01-31) or an instant."));
        s.put(
                "Purged",
                obj().req("before", time(false)).req("deleted", integer()).build());
        s.put("Agent", PipelineSchemas.agent());
        s.put(
                "AgentRegistry",
                obj().req("file", nullable("string"))
                        .req("loadedAt", time(false))
                        .req("agents", array(str()))
                        .req("default", nullable("string"))
                        .req("valid", bool())
                        .req("errors", array(str()))
                        .build());
        s.put(
                "DeadLetters",
                obj().opt("depth", integer())
                        .req("count", integer())
                        .req(
                                "items",
                                array(obj().req("messageId", nullable("string"))
                                        .req("deadLetteredBy", nullable("string", "baton", "broker"))
                                        .req("originalMessageId", nullable("string"))
                                        .req("originalAddress", nullable("string"))
                                        .req("reason", nullable("string"))
                                        .opt("deliveryCount", integer())
                                        .req("correlationId", nullable("string"))
                                        .req("timestamp", time(true))
                                        .req("body", nullable("string"))
                                        .req("truncated", bool())
                                        .build()))
                        .build());
        s.put(
                "Whoami",
                obj().req("name", str())
                        .req("role", enumOf("viewer", "submitter", "approver", "admin"))
                        .req("via", str())
                        .req("open", bool())
                        .build());
        s.put(
                "Health",
                obj().req("status", enumOf("UP", "DEGRADED", "DOWN"))
                        .opt("parts", parts())
                        .req(
                                "heap",
                                obj().req("usedMiB", integer())
                                        .req("liveMiB", integer())
                                        .req("peakMiB", integer())
                                        .req("maxMiB", integer())
                                        .build())
                        .opt("outbox", integer())
                        .build());
        return s;
    }

    private static Obj runSummary() {
        return obj().req("id", str())
                .req("pipeline", str())
                .req("revision", str())
                .req("status", ref(RUN_STATUS))
                .req("params", any())
                .opt("idempotencyKey", str())
                .req("error", nullable("string"))
                .req("createdAt", time(false))
                .req("updatedAt", time(false))
                .req("finishedAt", time(true));
    }

    /** Token counts an agent reported: numbers by name. */
    /** The parts of Baton {@code /api/health} reports, by name: each UP, DEGRADED or DOWN with its reason. */
    private static Schema<?> parts() {
        JsonSchema s = type("object");
        s.setAdditionalProperties(obj().req("status", enumOf("UP", "DEGRADED", "DOWN"))
                .opt("reason", str())
                .build());
        return s;
    }

    private static Schema<?> usage() {
        JsonSchema s = type("object");
        s.setAdditionalProperties(type("number"));
        return s;
    }

    static Obj obj() {
        return new Obj();
    }

    static JsonSchema type(String... types) {
        JsonSchema s = new JsonSchema();
        s.setTypes(new LinkedHashSet<>(Arrays.asList(types)));
        return s;
    }

    static Schema<?> str() {
        return type("string");
    }

    static Schema<?> integer() {
        return type("integer");
    }

    static Schema<?> bool() {
        return type("boolean");
    }

    /** Any JSON value. */
    static Schema<?> any() {
        return new JsonSchema();
    }

    /** The type or null; for a string, optionally one of {@code values}. */
    static Schema<?> nullable(String type, String... values) {
        JsonSchema s = type(type, "null");
        if (values.length > 0) {
            List<Object> allowed = new java.util.ArrayList<>(Arrays.asList(values));
            allowed.add(null);
            s.setEnum(allowed);
        }
        return s;
    }

    /** An ISO-8601 instant, or null when {@code orNull}. */
    static Schema<?> time(boolean orNull) {
        JsonSchema s = orNull ? type("string", "null") : type("string");
        s.setFormat("date-time");
        return s;
    }

    static Schema<?> enumOf(String... values) {
        JsonSchema s = type("string");
        s.setEnum(Arrays.asList((Object[]) values));
        return s;
    }

    static Schema<?> array(Schema<?> items) {
        JsonSchema s = type("array");
        s.setItems(items);
        return s;
    }

    static Schema<?> ref(String component) {
        JsonSchema s = new JsonSchema();
        s.set$ref("#/components/schemas/" + component);
        return s;
    }

    /** An object schema under construction: closed unless {@link #open()}. */
    static final class Obj {
        private final JsonSchema schema = type("object");

        private Obj() {
            schema.setAdditionalProperties(Boolean.FALSE);
        }

        Obj req(String name, Schema<?> type) {
            schema.addProperty(name, type);
            schema.addRequiredItem(name);
            return this;
        }

        Obj opt(String name, Schema<?> type) {
            schema.addProperty(name, type);
            return this;
        }

        /** Takes fields it does not list (params, problem extensions). */
        Obj open() {
            schema.setAdditionalProperties(null);
            return this;
        }

        Schema<?> doc(String description) {
            schema.setDescription(description);
            return schema;
        }

        Schema<?> build() {
            return schema;
        }
    }
}
