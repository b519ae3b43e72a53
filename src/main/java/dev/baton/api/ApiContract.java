package dev.baton.api;

import static dev.baton.api.SchemaShapes.array;
import static dev.baton.api.SchemaShapes.ref;

import io.swagger.v3.oas.models.media.Schema;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What each operation of {@code /api} takes and answers, by operationId (the id of its REST DSL verb in
 * {@link ApiDocs}): its request body, its successful answers and the problems particular to it. Problems every
 * operation may answer (400, 500, 503; 401 and 403 behind credentials; 413 and 415 with a body) are added by
 * {@link OpenApiDocument}.
 */
final class ApiContract {
    static final String JSON = "application/json";
    static final String YAML = "application/yaml";
    static final String SCHEMA_JSON = "application/schema+json";

    /** An answer: status, what it means, and its body's media type and schema (null for a problem). */
    record Answer(int status, String description, String mediaType, Schema<?> schema) {}

    /** One operation's contract; {@code request} is null when it takes no body. */
    record Operation(String id, String requestType, Schema<?> request, List<Answer> answers) {
        Operation ok(int status, String description, Schema<?> schema) {
            return answer(new Answer(status, description, JSON, schema));
        }

        Operation answer(Answer a) {
            List<Answer> all = new java.util.ArrayList<>(answers);
            all.add(a);
            return new Operation(id, requestType, request, all);
        }

        Operation problem(int status, String description) {
            return answer(new Answer(status, description, null, null));
        }

        Operation takes(String type, Schema<?> schema) {
            return new Operation(id, type, schema, answers);
        }
    }

    private static final Map<String, Operation> OPERATIONS = new LinkedHashMap<>();

    static {
        add(op("listPipelines").ok(200, "loaded pipelines and invalid files with their errors", ref("PipelineList")));
        add(op("validatePipeline")
                .takes(YAML, SchemaShapes.str())
                .ok(200, "the pipeline is valid; nothing was loaded", ref("Validation"))
                .problem(422, "every problem of the file, file:line:column first"));
        add(op("getPipeline").ok(200, "the pipeline", ref("Pipeline")).problem(404, "no pipeline of this name"));
        add(op("listPipelineRevisions")
                .ok(200, "every revision, newest first", array(ref("Revision")))
                .problem(404, "the pipeline was never loaded"));
        add(op("startRun")
                .takes(JSON, ref("StartParams"))
                .ok(201, "the run, started; Location is its URL", ref("Run"))
                .ok(200, "replayed: the run an earlier request with this Idempotency-Key made", ref("Run"))
                .problem(404, "no pipeline of this name is loaded")
                .problem(422, "the Idempotency-Key was used with another request"));
        add(op("listRuns").ok(200, "a page of runs, newest first", ref("RunPage")));
        add(op("getRun").ok(200, "the run", ref("Run")).problem(404, "no run of this id"));
        add(op("listRunTickets")
                .ok(200, "a page of the run's tickets", ref("TicketPage"))
                .problem(404, "no run of this id"));
        add(op("getRunHistory")
                .ok(200, "transitions after `after`, oldest first, at most limit", array(ref("HistoryEntry")))
                .problem(404, "no run of this id"));
        add(op("listRunEvents")
                .ok(200, "the transitions as events, in order", array(ref("Event")))
                .problem(404, "no run of this id"));
        add(op("listRunWebhooks")
                .ok(200, "deliveries, oldest first, each with every attempt", array(ref("WebhookDelivery")))
                .problem(404, "no run of this id"));
        add(op("decideApproval")
                .takes(JSON, ref("DecisionRequest"))
                .ok(200, "the decision was counted (or repeated); the stage's approval state", ref("Decision"))
                .problem(403, "the caller is not an approver of this stage")
                .problem(404, "no run or approval stage of this name")
                .problem(
                        409,
                        "the stage was already decided, or the caller decided otherwise; approval has the " + "state"));
        add(op("cancelRun")
                .takes(JSON, ref("CancelRequest"))
                .ok(200, "the run, now CANCELLED or COMPENSATING", ref("Run"))
                .problem(404, "no run of this id")
                .problem(409, "the run is not RUNNING"));
        add(op("purgeRuns").takes(JSON, ref("PurgeRequest")).ok(200, "how many runs were deleted", ref("Purged")));
        add(op("rerunRun")
                .takes(JSON, ref("RerunRequest"))
                .ok(200, "the run, RUNNING again; rerun lists the " + "restarted stages", ref("Run"))
                .problem(404, "no run of this id, or no stage of this name")
                .problem(409, "the run has not ended"));
        add(op("listDeadLetters").ok(200, "messages of the dead-letter queue, oldest first", ref("DeadLetters")));
        add(op("listAgents").ok(200, "every agent", array(ref("Agent"))));
        add(op("getAgentRegistry").ok(200, "the registry in force", ref("AgentRegistry")));
        add(op("getMetrics").answer(new Answer(200, "Prometheus text format", "text/plain", SchemaShapes.str())));
        add(op("whoami").ok(200, "who the credentials belong to", ref("Whoami")));
        add(op("listWaitingApprovals")
                .ok(200, "approval stages the caller may decide, oldest first", array(ref("WaitingApproval"))));
        add(op("getHealth").ok(200, "Baton is up", ref("Health")));
        add(op("getOpenApi").ok(200, "this document (OpenAPI 3.1)", SchemaShapes.type("object")));
        add(op("getPipelineSchema")
                .answer(new Answer(
                        200,
                        "the JSON Schema (2020-12) of a pipeline file",
                        SCHEMA_JSON,
                        SchemaShapes.type("object"))));
        add(op("getAgentsSchema")
                .answer(new Answer(
                        200,
                        "the JSON Schema (2020-12) of config/agents.yaml",
                        SCHEMA_JSON,
                        SchemaShapes.type("object"))));
    }

    private ApiContract() {}

    private static Operation op(String id) {
        return new Operation(id, null, null, List.of());
    }

    private static void add(Operation o) {
        OPERATIONS.put(o.id(), o);
    }

    /** The contract of an operation; an operation without one is a mistake the document refuses to hide. */
    static Operation of(String operationId) {
        Operation o = OPERATIONS.get(operationId);
        if (o == null) {
            throw new IllegalStateException("REST operation '" + operationId + "' has no contract in ApiContract");
        }
        return o;
    }

    static java.util.Set<String> ids() {
        return OPERATIONS.keySet();
    }
}
