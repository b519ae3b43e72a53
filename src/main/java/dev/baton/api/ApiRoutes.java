package dev.baton.api;

import static dev.baton.api.ApiExchange.authority;
import static dev.baton.api.ApiExchange.integer;
import static dev.baton.api.ApiExchange.limit;
import static dev.baton.api.ApiExchange.ok;
import static dev.baton.api.ApiExchange.param;
import static dev.baton.api.ApiExchange.problem;
import static dev.baton.api.ApiExchange.respond;
import static dev.baton.api.ApiExchange.tickets;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Json;
import java.util.List;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.rest.RestBindingMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API under {@code /api} (README: REST API); errors are {@code application/problem+json}. Who may call what is
 * checked before these routes by {@link ApiGuard}; the operations and their OpenAPI text are in {@link ApiDocs}.
 */
public final class ApiRoutes extends RouteBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(ApiRoutes.class);
    /** The Prometheus text exposition format. */
    private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

    private final Supplier<RunService> service;
    private final DeadLetters deadLetters;
    private final int maxBodyBytes;
    private final PipelineCheck check;
    private final AgentViews agents;

    /**
     * @param service the run service, or null while Baton is still starting: the routes are registered before the
     *     HTTP port opens and answer 503 with Retry-After until then, never a misleading 404
     * @param deadLetters the dead-letter queue, browsed (never consumed) by {@code GET /api/dead-letters}
     * @param maxBodyBytes larger request bodies are refused with 413 (the HTTP server's own, higher ceiling is
     *     answered by {@link HttpFront}'s error page)
     * @param check validates pipeline YAML for {@code POST /api/pipelines/validate}
     */
    public ApiRoutes(
            Supplier<RunService> service,
            DeadLetters deadLetters,
            int maxBodyBytes,
            PipelineCheck check,
            AgentViews agents) {
        this.service = service;
        this.deadLetters = deadLetters;
        this.maxBodyBytes = maxBodyBytes;
        this.check = check;
        this.agents = agents;
    }

    private RunService runs() {
        RunService s = service.get();
        if (s == null) {
            throw new Problem(503, "Service Unavailable", "Baton is starting; retry in a moment", List.of());
        }
        return s;
    }

    @Override
    public void configure() {
        onException(Problem.class)
                .handled(true)
                .process(ex -> problem(ex, ex.getProperty(Exchange.EXCEPTION_CAUGHT, Problem.class)));
        onException(Exception.class).handled(true).process(ex -> {
            problem(ex, Problem.unexpected(LOG, ex.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class)));
        });

        restConfiguration().component("platform-http").contextPath("/api").bindingMode(RestBindingMode.off);
        ApiDocs.define(this);
        OpenApiDocument openApi = new OpenApiDocument(getRestCollection().getRests());
        from("direct:api-openapi")
                .routeId("api-openapi")
                .process(ex -> ok(ex, 200, openApi.forHost(authority(param(ex, Exchange.HTTP_URL)))));
        from("direct:api-schema-pipeline")
                .routeId("api-schema-pipeline")
                .process(this::authorized)
                .process(ex -> respond(ex, 200, ApiContract.SCHEMA_JSON, FileSchemas.PIPELINE.text()));
        from("direct:api-schema-agents")
                .routeId("api-schema-agents")
                .process(this::authorized)
                .process(ex -> respond(ex, 200, ApiContract.SCHEMA_JSON, FileSchemas.AGENTS.text()));

        from("direct:api-agents")
                .routeId("api-agents")
                .process(this::authorized)
                .process(ex -> ok(ex, 200, agents.list()));
        from("direct:api-agents-registry")
                .routeId("api-agents-registry")
                .process(this::authorized)
                .process(ex -> ok(ex, 200, agents.registry()));
        from("direct:api-metrics")
                .routeId("api-metrics")
                .process(this::authorized)
                .process(ex -> respond(ex, 200, PROMETHEUS, runs().metrics().scrape()));

        from("direct:api-health").routeId("api-health").process(ex -> {
            RunService runs = runs();
            ObjectNode health = Json.object().put("status", "UP");
            health.set("heap", HeapFigures.now());
            HealthParts parts = getContext().getRegistry().lookupByNameAndType(HealthParts.NAME, HealthParts.class);
            String status = parts == null ? "UP" : parts.report(health);
            if (!"DOWN".equals(status)) {
                health.put("outbox", runs.records().outboxDepth());
            }
            // DEGRADED answers 200: the process is ready and a restart would not help (a full disk, a broken edit).
            ok(ex, "DOWN".equals(status) ? 503 : 200, health);
        });
        from("direct:api-pipelines")
                .routeId("api-pipelines")
                .process(this::authorized)
                .process(ex -> ok(ex, 200, runs().pipelines()));
        from("direct:api-pipeline")
                .routeId("api-pipeline")
                .process(this::authorized)
                .process(ex -> ok(ex, 200, runs().pipeline(param(ex, "name"))));
        from("direct:api-validate")
                .routeId("api-validate")
                .process(this::authorized)
                .process(ex -> ok(ex, 200, check.validate(body(ex), param(ex, Exchange.CONTENT_TYPE))));
        from("direct:api-start-run")
                .routeId("api-start-run")
                .process(this::authorized)
                .process(ex -> {
                    RunService.StartOutcome out =
                            runs().start(param(ex, "name"), body(ex), param(ex, "Idempotency-Key"));
                    if (out.replayed()) {
                        ex.getMessage().setHeader("Idempotent-Replayed", "true");
                    }
                    ex.getMessage()
                            .setHeader(
                                    "Location",
                                    "/api/runs/" + out.run().path("id").asText());
                    ok(ex, out.replayed() ? 200 : 201, out.run());
                });
        from("direct:api-runs").routeId("api-runs").process(this::authorized).process(ex -> {
            ok(
                    ex,
                    200,
                    runs().list(
                                    param(ex, "pipeline"),
                                    param(ex, "status"),
                                    param(ex, "q"),
                                    limit(ex, 50),
                                    param(ex, "cursor")));
        });
        from("direct:api-run")
                .routeId("api-run")
                .process(this::authorized)
                .process(ex -> ok(ex, 200, runs().get(param(ex, "id"), tickets(ex))));
        from("direct:api-run-tickets")
                .routeId("api-run-tickets")
                .process(this::authorized)
                .process(ex -> ok(
                        ex,
                        200,
                        runs().pages()
                                .tickets(
                                        param(ex, "id"),
                                        param(ex, "stage"),
                                        integer(ex, "limit"),
                                        param(ex, "cursor"))));
        from("direct:api-run-history")
                .routeId("api-run-history")
                .process(this::authorized)
                .process(ex -> ok(
                        ex, 200, runs().pages().history(param(ex, "id"), integer(ex, "after"), integer(ex, "limit"))));
        from("direct:api-decide")
                .routeId("api-decide")
                .process(this::authorized)
                .process(ex ->
                        ok(ex, 200, runs().control().decide(param(ex, "id"), param(ex, "stage"), body(ex), who(ex))));
        from("direct:api-cancel")
                .routeId("api-cancel")
                .process(this::authorized)
                .process(ex -> ok(ex, 200, runs().control().cancel(param(ex, "id"), body(ex))));
        from("direct:api-purge")
                .routeId("api-purge")
                .process(this::authorized)
                .process(ex -> ok(ex, 200, runs().purge(body(ex))));
        from("direct:api-rerun")
                .routeId("api-rerun")
                .process(this::authorized)
                .process(ex -> ok(ex, 200, runs().control().rerun(param(ex, "id"), body(ex))));
        from("direct:api-run-events")
                .routeId("api-run-events")
                .process(this::authorized)
                .process(ex -> ok(
                        ex, 200, runs().pages().events(param(ex, "id"), integer(ex, "after"), integer(ex, "limit"))));
        from("direct:api-run-webhooks")
                .routeId("api-run-webhooks")
                .process(this::authorized)
                .process(ex -> ok(ex, 200, runs().records().webhooks(param(ex, "id"))));
        from("direct:api-pipeline-revisions")
                .routeId("api-pipeline-revisions")
                .process(this::authorized)
                .process(ex -> ok(ex, 200, runs().records().revisions(param(ex, "name"))));
        from("direct:api-whoami")
                .routeId("api-whoami")
                .process(this::authorized)
                .process(ex -> {
                    var who = who(ex);
                    ok(
                            ex,
                            200,
                            Json.object()
                                    .put("name", who.name())
                                    .put("role", who.role().label())
                                    .put("via", who.via())
                                    .put("open", "open".equals(who.via())));
                });
        from("direct:api-approvals")
                .routeId("api-approvals")
                .process(this::authorized)
                .process(ex -> ok(ex, 200, runs().approvals().forCaller(who(ex))));
        from("direct:api-dead-letters")
                .routeId("api-dead-letters")
                .process(this::authorized)
                .process(ex -> ok(ex, 200, deadLetters.browse(limit(ex, DeadLetters.DEFAULT_LIMIT))));
    }

    /**
     * The second lock: a request that reached a route needing credentials without the identity the
     * {@link ApiGuard} puts on it (say, in the moment before the guard is installed) is refused.
     */
    private void authorized(Exchange ex) {
        if (ApiGuard.identity(ex) == null) {
            throw new Problem(401, "Unauthorized", "credentials are required", List.of());
        }
    }

    private static dev.baton.api.auth.Identity who(Exchange ex) {
        return ApiGuard.identity(ex);
    }

    private String body(Exchange ex) {
        return ApiExchange.body(ex, maxBodyBytes);
    }
}
