package dev.baton.api;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.rest.RestParamType;

/**
 * The REST operations of {@code /api} with what the OpenAPI document ({@code GET /api/openapi.json}) says of them:
 * parameters, roles and answers. Each operation hands over to a {@code direct:api-*} route of {@link ApiRoutes}.
 */
final class ApiDocs {
    private static final String JSON = "application/json";
    private static final String PROBLEM = "application/problem+json";

    private ApiDocs() {}

    static void define(RouteBuilder b) {
        b.rest("/pipelines").description("Pipelines loaded from routes/")
                .securityDefinitions()
                .bearerToken("bearer", "an API key from config/security.yaml: Authorization: Bearer <key>")
                .apiKey("apiKey", "the same API key in a header").withHeader("X-API-Key").end()
                .basicAuth("basic", "a user and password from config/security.yaml").end()
                .get().description("Loaded pipelines and invalid files with their errors. Role: viewer")
                .produces(JSON).to("direct:api-pipelines")
                .post("/validate").description("Validates a pipeline YAML body without loading it: 200 {valid: true} "
                        + "or 422 with every error (file:line:column). Changes nothing. Role: submitter")
                .consumes("application/yaml").produces(JSON)
                .responseMessage().code(200).message("valid").endResponseMessage()
                .responseMessage().code(415).message("not YAML").contentType(PROBLEM).endResponseMessage()
                .responseMessage().code(422).message("every problem of the file").contentType(PROBLEM)
                .endResponseMessage()
                .to("direct:api-validate")
                .get("/{name}").description("One pipeline, with its schedule. Role: viewer").produces(JSON)
                .param().name("name").type(RestParamType.path).required(true).endParam()
                .to("direct:api-pipeline")
                .get("/{name}/revisions").description("Every revision ever loaded, newest first. Role: viewer")
                .produces(JSON).param().name("name").type(RestParamType.path).required(true).endParam()
                .to("direct:api-pipeline-revisions")
                .post("/{name}/runs").description("Starts a run; the body is the params object. Role: submitter")
                .consumes(JSON).produces(JSON)
                .param().name("name").type(RestParamType.path).required(true).endParam()
                .param().name("Idempotency-Key").type(RestParamType.header).required(false)
                .description("the same key always yields the same run").endParam()
                .responseMessage().code(201).message("the run").endResponseMessage()
                .responseMessage().code(200).message("replayed: the run an earlier request made").endResponseMessage()
                .to("direct:api-start-run");
        b.rest("/runs").description("Runs and their history")
                .get().description("Runs, newest first, a page at a time: {items, next}. Role: viewer").produces(JSON)
                .param().name("pipeline").type(RestParamType.query).required(false).endParam()
                .param().name("status").type(RestParamType.query).required(false).endParam()
                .param().name("limit").type(RestParamType.query).required(false).dataType("integer")
                .description("1-1000, default 50").endParam()
                .param().name("q").type(RestParamType.query).required(false)
                .description("only runs whose params contain this text (ignoring case)").endParam()
                .param().name("cursor").type(RestParamType.query).required(false)
                .description("the next of the previous page").endParam()
                .to("direct:api-runs")
                .get("/{id}").description("A run with its context, stages and tickets. Role: viewer").produces(JSON)
                .param().name("id").type(RestParamType.path).required(true).endParam()
                .param().name("tickets").type(RestParamType.query).required(false).dataType("integer")
                .description("at most this many tickets per stage (first by item); ticketCount says how many")
                .endParam()
                .to("direct:api-run")
                .get("/{id}/history").description("Every transition, oldest first. Role: viewer").produces(JSON)
                .param().name("id").type(RestParamType.path).required(true).endParam()
                .to("direct:api-run-history")
                .get("/{id}/events").description("The transitions as published on baton.events. Role: viewer")
                .produces(JSON).param().name("id").type(RestParamType.path).required(true).endParam()
                .to("direct:api-run-events")
                .get("/{id}/webhooks").description("Webhook deliveries with every attempt. Role: viewer")
                .produces(JSON).param().name("id").type(RestParamType.path).required(true).endParam()
                .to("direct:api-run-webhooks")
                .post("/{id}/approvals/{stage}").description("A decision on an approval stage, made by the "
                        + "authenticated identity. Role: approver").consumes(JSON).produces(JSON)
                .param().name("id").type(RestParamType.path).required(true).endParam()
                .param().name("stage").type(RestParamType.path).required(true).endParam()
                .to("direct:api-decide")
                .post("/{id}/cancel").description("Cancels a RUNNING run. Role: admin").consumes(JSON).produces(JSON)
                .param().name("id").type(RestParamType.path).required(true).endParam()
                .to("direct:api-cancel")
                .post("/purge").description("Deletes every run that finished (SUCCEEDED, FAILED, COMPENSATED, "
                        + "CANCELLED) before {\"before\": date or instant}, with its stages, tickets, history and "
                        + "webhook deliveries; never a run in progress. Role: admin").consumes(JSON).produces(JSON)
                .responseMessage().code(200).message("{before, deleted}").endResponseMessage()
                .responseMessage().code(400).message("no or a bad 'before'").contentType(PROBLEM).endResponseMessage()
                .to("direct:api-purge")
                .post("/{id}/rerun").description("Reruns an ended run from a stage. Role: admin").consumes(JSON)
                .produces(JSON).param().name("id").type(RestParamType.path).required(true).endParam()
                .to("direct:api-rerun");
        b.rest("/dead-letters").description("Messages on the dead-letter queue, browsed without consuming them")
                .get().description("Role: viewer").produces(JSON)
                .param().name("limit").type(RestParamType.query).required(false).dataType("integer").endParam()
                .to("direct:api-dead-letters");
        b.rest("/agents").description("Agents: registry, health, instances, tickets in flight, queues")
                .get().description("Every agent with its health, instances, tickets and queue. Role: viewer")
                .produces(JSON).to("direct:api-agents")
                .get("/registry").description("config/agents.yaml as in force, and the problems of an edit that did "
                        + "not load. Role: viewer").produces(JSON).to("direct:api-agents-registry");
        b.rest("/metrics").description("Prometheus metrics: runs, ticket times, tickets in flight, queue depths")
                .get().description("Prometheus text format. Role: viewer").produces("text/plain")
                .to("direct:api-metrics");
        b.rest("/whoami").description("Who the credentials sent belong to")
                .get().description("{name, role, via, open}; open is true when the API asks nobody. Role: viewer")
                .produces(JSON).to("direct:api-whoami");
        b.rest("/approvals").description("Approval stages waiting for the caller")
                .get().description("Stages of running runs the caller may decide and has not: [{runId, pipeline, "
                        + "stage, since, approvers, policy, needed, decisions}], oldest first. Role: viewer (empty "
                        + "below approver)").produces(JSON).to("direct:api-approvals");
        b.rest("/health").description("Readiness: 200 once the engine, the API and routes/ are loaded")
                .get().description("No credentials needed").produces(JSON).to("direct:api-health");
        secure(b);
    }

    /** Every operation but {@code /health} says it takes any of the three credentials, as {@link ApiGuard} does. */
    private static void secure(RouteBuilder b) {
        for (var rest : b.getRestCollection().getRests()) {
            if (!rest.getPath().equals("/health")) {
                rest.getVerbs().forEach(verb -> verb.setSecurity(java.util.stream.Stream.of("bearer", "apiKey", "basic")
                        .map(key -> {
                            var requirement = new org.apache.camel.model.rest.SecurityDefinition();
                            requirement.setKey(key);
                            return requirement;
                        }).collect(java.util.stream.Collectors.toList())));
            }
        }
    }
}
