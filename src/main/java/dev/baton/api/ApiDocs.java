package dev.baton.api;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.rest.RestParamType;

/**
 * The REST operations of {@code /api}: path, operationId, parameters and description, which the OpenAPI document
 * ({@link OpenApiDocument}) shows with the bodies and answers of {@link ApiContract}. Each operation hands over to a
 * {@code direct:api-*} route of {@link ApiRoutes}.
 */
final class ApiDocs {
    static final String JSON = "application/json";

    private ApiDocs() {}

    static void define(RouteBuilder b) {
        b.rest("/pipelines")
                .description("Pipelines loaded from routes/")
                .get()
                .id("listPipelines")
                .description("Loaded pipelines and invalid files with their errors. Role: viewer")
                .produces(JSON)
                .to("direct:api-pipelines")
                .post("/validate")
                .id("validatePipeline")
                .description("Validates a pipeline YAML body without loading it: 200 {valid: true} "
                        + "or 422 with every error (file:line:column). Changes nothing. Role: submitter")
                .consumes("application/yaml")
                .produces(JSON)
                .to("direct:api-validate")
                .get("/{name}")
                .id("getPipeline")
                .description("One pipeline, with its schedule. Role: viewer")
                .produces(JSON)
                .param()
                .name("name")
                .type(RestParamType.path)
                .required(true)
                .endParam()
                .to("direct:api-pipeline")
                .get("/{name}/revisions")
                .id("listPipelineRevisions")
                .description("Every revision ever loaded, newest first. Role: viewer")
                .produces(JSON)
                .param()
                .name("name")
                .type(RestParamType.path)
                .required(true)
                .endParam()
                .to("direct:api-pipeline-revisions")
                .post("/{name}/runs")
                .id("startRun")
                .description("Starts a run; the body is the params object. Role: submitter")
                .consumes(JSON)
                .produces(JSON)
                .param()
                .name("name")
                .type(RestParamType.path)
                .required(true)
                .endParam()
                .param()
                .name("Idempotency-Key")
                .type(RestParamType.header)
                .required(false)
                .description("the same key always yields the same run")
                .endParam()
                .to("direct:api-start-run");
        RunApiDocs.define(b);
        b.rest("/dead-letters")
                .description("Messages on the dead-letter queue, browsed without consuming them")
                .get()
                .id("listDeadLetters")
                .description("Role: viewer")
                .produces(JSON)
                .param()
                .name("limit")
                .type(RestParamType.query)
                .required(false)
                .dataType("integer")
                .endParam()
                .to("direct:api-dead-letters");
        b.rest("/agents")
                .description("Agents: registry, health, instances, tickets in flight, queues")
                .get()
                .id("listAgents")
                .description("Every agent with its health, instances, tickets and queue. Role: viewer")
                .produces(JSON)
                .to("direct:api-agents")
                .get("/registry")
                .id("getAgentRegistry")
                .description("config/agents.yaml as in force, and the problems of an edit that did "
                        + "not load. Role: viewer")
                .produces(JSON)
                .to("direct:api-agents-registry");
        b.rest("/metrics")
                .description("Prometheus metrics: runs, ticket times, tickets in flight, queue depths")
                .get()
                .id("getMetrics")
                .description("Prometheus text format. Role: viewer")
                .produces("text/plain")
                .to("direct:api-metrics");
        b.rest("/whoami")
                .description("Who the credentials sent belong to")
                .get()
                .id("whoami")
                .description("{name, role, via, open}; open is true when the API asks nobody. Role: viewer")
                .produces(JSON)
                .to("direct:api-whoami");
        b.rest("/approvals")
                .description("Approval stages waiting for the caller")
                .get()
                .id("listWaitingApprovals")
                .description("Stages of running runs the caller may decide and has not: [{runId, pipeline, "
                        + "stage, since, approvers, policy, needed, decisions}], oldest first. Role: viewer (empty "
                        + "below approver)")
                .produces(JSON)
                .to("direct:api-approvals");
        b.rest("/health")
                .description("Readiness: 200 once the engine, the API and routes/ are loaded")
                .get()
                .id("getHealth")
                .description("No credentials needed")
                .produces(JSON)
                .to("direct:api-health");
        b.rest("/openapi.json")
                .description("This document")
                .get()
                .id("getOpenApi")
                .description("The OpenAPI 3.1 document of /api. No credentials needed")
                .produces(JSON)
                .to("direct:api-openapi");
        b.rest("/schema")
                .description("JSON Schemas (2020-12) of Baton's files, for editors and tools")
                .get("/pipeline.json")
                .id("getPipelineSchema")
                .description("A pipeline file of routes/. Role: viewer")
                .produces(ApiContract.SCHEMA_JSON)
                .to("direct:api-schema-pipeline")
                .get("/agents.json")
                .id("getAgentsSchema")
                .description("config/agents.yaml. Role: viewer")
                .produces(ApiContract.SCHEMA_JSON)
                .to("direct:api-schema-agents");
    }
}
