package dev.baton.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.api.auth.AccessTable;
import io.swagger.v3.core.util.Json31;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.Paths;
import io.swagger.v3.oas.models.SpecVersion;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.camel.model.rest.ParamDefinition;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.RestParamType;
import org.apache.camel.model.rest.VerbDefinition;

/**
 * The OpenAPI 3.1 document of {@code /api}, built with swagger's models from the REST DSL's verbs (paths, parameters,
 * descriptions) and {@link ApiContract} (bodies and answers), so that an operation cannot be served undocumented.
 */
final class OpenApiDocument {
    private static final String PROBLEM = "application/problem+json";
    private static final List<String> SCHEMES = List.of("bearer", "apiKey", "basic");
    /** A Host header fit to be a server URL's authority: a name or address, and a port. */
    private static final Pattern HOST =
            Pattern.compile("[A-Za-z0-9.\\-]+(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]+\\](:[0-9]{1,5})?");

    private static final Map<Integer, String> COMMON = Map.of(
            400, "the request is not valid: a parameter, the body or its encoding; errors lists every problem",
            401, "no credentials, or credentials that are not valid",
            403, "the caller's role does not allow this operation",
            413, "the request body is larger than the server accepts",
            415, "the request body's Content-Type is not one this operation takes",
            500, "an unexpected failure; errorId names it in the server log",
            503, "Baton is starting (Retry-After says when to retry) or the broker cannot be reached");

    private final ObjectNode document;

    OpenApiDocument(List<RestDefinition> rests) {
        OpenAPI api = new OpenAPI(SpecVersion.V31)
                .openapi("3.1.0")
                .info(new Info()
                        .title("Baton REST API")
                        .version("1")
                        .description("Runs, pipelines, agents and approvals of a Baton orchestrator. Every "
                                + "error is application/problem+json (RFC 9457)."));
        Components components = new Components()
                .addSecuritySchemes(
                        "bearer",
                        new SecurityScheme()
                                .type(SecurityScheme.Type.HTTP)
                                .scheme("bearer")
                                .description("an API key from config/security.yaml: Authorization: Bearer <key>"))
                .addSecuritySchemes(
                        "apiKey",
                        new SecurityScheme()
                                .type(SecurityScheme.Type.APIKEY)
                                .in(SecurityScheme.In.HEADER)
                                .name("X-API-Key")
                                .description("the same API key in a header"))
                .addSecuritySchemes(
                        "basic",
                        new SecurityScheme()
                                .type(SecurityScheme.Type.HTTP)
                                .scheme("basic")
                                .description("a user and password from config/security.yaml"));
        ApiSchemas.all().forEach(components::addSchemas);
        api.components(components);
        Map<String, PathItem> paths = new TreeMap<>();
        for (RestDefinition rest : rests) {
            for (VerbDefinition verb : rest.getVerbs()) {
                String path = rest.getPath() + (verb.getPath() == null ? "" : verb.getPath());
                PathItem item = paths.computeIfAbsent(path, p -> new PathItem());
                item.operation(
                        PathItem.HttpMethod.valueOf(verb.asVerb().toUpperCase(java.util.Locale.ROOT)),
                        operation(rest, verb, path));
            }
        }
        paths.put(EventStream.PATH.substring("/api".length()), new PathItem().get(eventStream()));
        Paths p = new Paths();
        paths.forEach(p::addPathItem);
        api.paths(p);
        this.document = Json31.mapper().valueToTree(api);
    }

    /** The document with {@code servers} naming the host the caller reached (relative when it cannot be trusted). */
    ObjectNode forHost(String host) {
        ObjectNode copy = document.deepCopy();
        String url = host != null && HOST.matcher(host).matches() ? "http://" + host + "/api" : "/api";
        copy.set("servers", Json31.mapper().valueToTree(List.of(new Server().url(url))));
        return copy;
    }

    private static Operation operation(RestDefinition rest, VerbDefinition verb, String path) {
        if (verb.getId() == null) {
            throw new IllegalStateException(verb.asVerb() + " " + path + " has no operationId (.id(...) in ApiDocs)");
        }
        ApiContract.Operation contract = ApiContract.of(verb.getId());
        Operation op = new Operation()
                .operationId(verb.getId())
                .description(verb.getDescriptionText())
                .summary(rest.getDescriptionText())
                .addTagsItem(path.split("/")[1]);
        if (verb.getParams() != null) {
            verb.getParams().forEach(param -> op.addParametersItem(parameter(param)));
        }
        if (contract.request() != null) {
            op.requestBody(new RequestBody()
                    .required(contract.requestType().equals(ApiContract.YAML))
                    .content(new Content()
                            .addMediaType(contract.requestType(), new MediaType().schema(contract.request()))));
        }
        boolean secured = AccessTable.required(
                        verb.asVerb().toUpperCase(java.util.Locale.ROOT), "/api" + path.replaceAll("\\{[a-z]+\\}", "x"))
                .isPresent();
        ApiResponses responses = new ApiResponses();
        contract.answers().forEach(a -> responses.addApiResponse(String.valueOf(a.status()), response(a)));
        common(responses, 400, 500, 503);
        if (secured) {
            common(responses, 401, 403);
            SCHEMES.forEach(s -> op.addSecurityItem(new SecurityRequirement().addList(s)));
        }
        if (contract.request() != null) {
            common(responses, 413, 415);
        }
        op.responses(sorted(responses));
        return op;
    }

    /** {@code GET /api/events/stream}: a Vert.x handler of its own ({@link EventStream}), not a REST DSL verb. */
    private static Operation eventStream() {
        ApiResponses responses = new ApiResponses()
                .addApiResponse(
                        "200",
                        new ApiResponse()
                                .description(
                                        "server-sent events: each data line is an Event; a comment line every 15 s; the "
                                                + "stream ends after 10 minutes and the client reconnects")
                                .content(new Content()
                                        .addMediaType(
                                                "text/event-stream", new MediaType().schema(SchemaShapes.str()))));
        common(responses, 400, 401, 403, 500, 503);
        Operation op = new Operation()
                .operationId("streamEvents")
                .addTagsItem("events")
                .summary("Live events")
                .description("The events of baton.events as they happen. Role: viewer")
                .addParametersItem(new Parameter()
                        .in("query")
                        .name("run")
                        .required(false)
                        .description("only the events of this run")
                        .schema(SchemaShapes.str()))
                .responses(sorted(responses));
        SCHEMES.forEach(s -> op.addSecurityItem(new SecurityRequirement().addList(s)));
        return op;
    }

    private static Parameter parameter(ParamDefinition d) {
        String in =
                d.getType() == RestParamType.path ? "path" : d.getType() == RestParamType.header ? "header" : "query";
        return new Parameter()
                .in(in)
                .name(d.getName())
                .required(d.getType() == RestParamType.path || Boolean.TRUE.equals(d.getRequired()))
                .description(d.getDescription())
                .schema("integer".equals(d.getDataType()) ? SchemaShapes.integer() : SchemaShapes.str());
    }

    private static ApiResponse response(ApiContract.Answer a) {
        ApiResponse r = new ApiResponse().description(a.description());
        return a.schema() == null
                ? r.content(problemContent())
                : r.content(new Content().addMediaType(a.mediaType(), new MediaType().schema(a.schema())));
    }

    private static void common(ApiResponses responses, int... statuses) {
        for (int status : statuses) {
            responses.putIfAbsent(
                    String.valueOf(status),
                    new ApiResponse().description(COMMON.get(status)).content(problemContent()));
        }
    }

    private static Content problemContent() {
        return new Content().addMediaType(PROBLEM, new MediaType().schema(SchemaShapes.ref("Problem")));
    }

    private static ApiResponses sorted(ApiResponses responses) {
        ApiResponses out = new ApiResponses();
        new TreeMap<>(responses).forEach(out::addApiResponse);
        return out;
    }
}
