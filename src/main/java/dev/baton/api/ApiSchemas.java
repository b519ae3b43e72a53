package dev.baton.api;

import static dev.baton.api.SchemaShapes.array;
import static dev.baton.api.SchemaShapes.bool;
import static dev.baton.api.SchemaShapes.enumOf;
import static dev.baton.api.SchemaShapes.integer;
import static dev.baton.api.SchemaShapes.nullable;
import static dev.baton.api.SchemaShapes.obj;
import static dev.baton.api.SchemaShapes.ref;
import static dev.baton.api.SchemaShapes.str;
import static dev.baton.api.SchemaShapes.time;
import static dev.baton.api.SchemaShapes.type;

import io.swagger.v3.oas.models.media.JsonSchema;
import io.swagger.v3.oas.models.media.Schema;
import java.util.LinkedHashMap;
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
        RunSchemas.addTo(s);
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

    /** The parts of Baton {@code /api/health} reports, by name: each UP, DEGRADED or DOWN with its reason. */
    private static Schema<?> parts() {
        JsonSchema s = type("object");
        s.setAdditionalProperties(obj().req("status", enumOf("UP", "DEGRADED", "DOWN"))
                .opt("reason", str())
                .build());
        return s;
    }
}
