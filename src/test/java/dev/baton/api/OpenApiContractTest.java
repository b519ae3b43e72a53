package dev.baton.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.baton.TestBaton;
import dev.baton.TestBaton.Response;
import dev.baton.pipeline.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI document a started Baton serves is valid OpenAPI 3.1 (checked against the OpenAPI Initiative's schema
 * in src/test/resources/openapi-3.1), and real answers of every documented operation, errors included, match the
 * status, media type and schema the document gives them: the document cannot drift from the code.
 */
class OpenApiContractTest {
    @TempDir
    static Path root;

    static TestBaton baton;
    static JsonNode doc;
    static final Set<String> exercised = new TreeSet<>();

    static final String GATE = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: gate}
            spec:
              pipeline:
                stages:
                  - {name: ok, approval: {approvers: [admin], policy: any}}
            """;

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(
                root,
                """
                agents:
                  greeter: {kind: demo, output: "{{ input.greeting }}, {{ input.who }}!"}
                default: {kind: demo}
                """,
                Map.of("greet.yaml", RunApiTest.PIPELINE, "fan.yaml", ApiContractTest.FAN, "gate.yaml", GATE));
        Response r = baton.anonymous().get("/api/openapi.json");
        assertThat(r.status()).isEqualTo(200);
        doc = r.body();
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    @Test
    void theServedDocumentIsValidOpenApi31() throws Exception {
        Map<String, String> official = new LinkedHashMap<>();
        for (String file :
                List.of("schema.json", "schema-base.json", "dialect/base.schema.json", "meta/base.schema.json")) {
            String text = resource("openapi-3.1/" + file);
            official.put(Json.parse(text).path("$id").asText(), text);
        }
        SchemaRegistry registry =
                SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, b -> b.schemas(official));
        // schema-base also checks every Schema Object against the OpenAPI 3.1 dialect
        Schema oas = registry.getSchema(SchemaLocation.of("https://spec.openapis.org/oas/3.1/schema-base/2021-04-15"));
        assertThat(oas.validate(doc))
                .as("OpenAPI 3.1 schema violations")
                .extracting(Error::toString)
                .isEmpty();
        // the checker is not blind: the document as it was before (a response without its description) fails
        ObjectNode broken = doc.deepCopy();
        ((ObjectNode) broken.at("/paths/~1runs/get/responses/200")).remove("description");
        assertThat(oas.validate(broken)).isNotEmpty();

        java.nio.file.Files.writeString(Path.of("target", "openapi.json"), doc.toPrettyString()); // for other tools
        assertThat(doc.path("openapi").asText()).isEqualTo("3.1.0");
        assertThat(doc.at("/servers/0/url").asText()).isEqualTo("http://127.0.0.1:" + baton.port + "/api");
        List<String> ids = new ArrayList<>();
        doc.path("paths")
                .forEach(item -> item.forEach(op -> {
                    ids.add(op.path("operationId").asText());
                    List<String> statuses = new ArrayList<>();
                    op.path("responses").fieldNames().forEachRemaining(statuses::add);
                    assertThat(statuses)
                            .as(op.path("operationId").asText())
                            .anyMatch(s -> s.startsWith("2"))
                            .contains("400", "500", "503");
                    op.path("responses")
                            .forEach(answer -> assertThat(
                                            answer.path("description").asText())
                                    .isNotBlank());
                }));
        assertThat(ids)
                .doesNotHaveDuplicates()
                .noneMatch(id -> id.matches("verb[0-9]+|"))
                .contains(
                        "listRuns",
                        "getRun",
                        "getRunHistory",
                        "startRun",
                        "decideApproval",
                        "streamEvents",
                        "getPipelineSchema");
        assertThat(doc.at("/paths/~1runs~1{id}/get/responses/404/content/application~1problem+json/schema/$ref")
                        .asText())
                .isEqualTo("#/components/schemas/Problem");
        assertThat(doc.at("/paths/~1pipelines~1{name}~1runs/post/requestBody/content/application~1json/schema/$ref")
                        .asText())
                .isEqualTo("#/components/schemas/StartParams");
    }

    @Test
    void realAnswersMatchTheDocumentedSchemas() throws Exception {
        TestBaton.Caller admin = baton.admin();
        check(baton.anonymous().get("/api/health"), "get", "/health");
        check(baton.anonymous().get("/api/openapi.json"), "get", "/openapi.json");
        check(admin.get("/api/whoami"), "get", "/whoami");
        check(admin.get("/api/pipelines"), "get", "/pipelines");
        check(admin.get("/api/pipelines/greet"), "get", "/pipelines/{name}");
        check(admin.get("/api/pipelines/nothing"), "get", "/pipelines/{name}", 404);
        check(admin.get("/api/pipelines/greet/revisions"), "get", "/pipelines/{name}/revisions");
        String yaml = "application/yaml";
        check(
                admin.request("POST", "/api/pipelines/validate", RunApiTest.PIPELINE, "Content-Type", yaml),
                "post",
                "/pipelines/validate");
        check(
                admin.request("POST", "/api/pipelines/validate", "kind: Pipeline\n", "Content-Type", yaml),
                "post",
                "/pipelines/validate",
                422);
        check(admin.post("/api/pipelines/greet/runs", "{\"nobody\": 1}"), "post", "/pipelines/{name}/runs", 400);
        Response started =
                admin.post("/api/pipelines/greet/runs", "{\"who\": \"contract\"}", "Idempotency-Key", "contract-1");
        check(started, "post", "/pipelines/{name}/runs", 201);
        check(
                admin.post("/api/pipelines/greet/runs", "{\"who\": \"contract\"}", "Idempotency-Key", "contract-1"),
                "post",
                "/pipelines/{name}/runs",
                200);
        String id = started.body().path("id").asText();
        // the check is not blind: a field the document does not list is refused
        ObjectNode surprise = ((ObjectNode) started.body().deepCopy()).put("surprise", 1);
        assertThat(errors(doc.at("/paths/~1runs~1{id}/get/responses/200/content/application~1json/schema"), surprise))
                .isNotEmpty();
        baton.awaitRun(id, Duration.ofSeconds(60));
        String fan = baton.startRun("fan", "{\"items\": [1, 2, 3]}");
        baton.awaitRun(fan, Duration.ofSeconds(60));
        for (String run : List.of(id, fan)) {
            check(admin.get("/api/runs/" + run), "get", "/runs/{id}");
            check(admin.get("/api/runs/" + run + "/history"), "get", "/runs/{id}/history");
            check(admin.get("/api/runs/" + run + "/events"), "get", "/runs/{id}/events");
        }
        check(admin.get("/api/runs/" + fan + "?tickets=1"), "get", "/runs/{id}");
        check(admin.get("/api/runs/" + fan + "?tickets=0"), "get", "/runs/{id}");
        Response firstTickets = admin.get("/api/runs/" + fan + "/tickets?limit=2");
        check(firstTickets, "get", "/runs/{id}/tickets");
        check(
                admin.get("/api/runs/" + fan + "/tickets?limit=2&cursor="
                        + firstTickets.body().path("next").asText()),
                "get",
                "/runs/{id}/tickets");
        check(admin.get("/api/runs/" + fan + "/tickets?limit=0"), "get", "/runs/{id}/tickets", 400);
        check(admin.get("/api/runs/no-such-run/tickets"), "get", "/runs/{id}/tickets", 404);
        check(admin.get("/api/runs/" + fan + "/history?after=2&limit=3"), "get", "/runs/{id}/history");
        check(admin.get("/api/runs/" + fan + "/events?after=x"), "get", "/runs/{id}/events", 400);
        check(admin.get("/api/runs/" + id + "/webhooks"), "get", "/runs/{id}/webhooks");
        check(admin.get("/api/runs/no-such-run"), "get", "/runs/{id}", 404);
        check(admin.get("/api/runs?limit=2"), "get", "/runs");
        check(admin.get("/api/runs?limit=0"), "get", "/runs", 400);
        check(baton.anonymous().get("/api/runs"), "get", "/runs", 401);
        check(baton.as("viewer").post("/api/runs/" + id + "/cancel", ""), "post", "/runs/{id}/cancel", 403);
        check(admin.post("/api/runs/" + id + "/cancel", ""), "post", "/runs/{id}/cancel", 409);
        check(admin.post("/api/runs/" + id + "/rerun", "{}"), "post", "/runs/{id}/rerun", 409);

        String gate = baton.startRun("gate", "{}");
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .until(() -> admin.get("/api/approvals").body().size() > 0);
        check(admin.get("/api/approvals"), "get", "/approvals");
        check(
                admin.post("/api/runs/" + gate + "/approvals/ok", "{\"decision\": \"approve\"}"),
                "post",
                "/runs/{id}/approvals/{stage}");
        check(
                admin.post("/api/runs/" + gate + "/approvals/ok", "{\"decision\": \"reject\"}"),
                "post",
                "/runs/{id}/approvals/{stage}",
                409);
        check(
                admin.post("/api/runs/" + gate + "/approvals/ok", "{\"decision\": 1}"),
                "post",
                "/runs/{id}/approvals/{stage}",
                400);
        String cancelled = baton.startRun("gate", "{}");
        check(
                admin.post("/api/runs/" + cancelled + "/cancel", "{\"reason\": \"contract\"}"),
                "post",
                "/runs/{id}/cancel");
        baton.awaitRun(cancelled, Duration.ofSeconds(60));
        check(admin.post("/api/runs/" + cancelled + "/rerun", "{}"), "post", "/runs/{id}/rerun");
        check(admin.post("/api/runs/purge", "{\"before\": \"2000-01-01\"}"), "post", "/runs/purge");
        check(admin.get("/api/dead-letters"), "get", "/dead-letters");
        check(admin.get("/api/agents"), "get", "/agents");
        check(admin.get("/api/agents/registry"), "get", "/agents/registry");
        check(admin.get("/api/metrics"), "get", "/metrics");
        check(admin.get("/api/schema/pipeline.json"), "get", "/schema/pipeline.json");
        check(admin.get("/api/schema/agents.json"), "get", "/schema/agents.json");

        Set<String> documented = new TreeSet<>();
        doc.path("paths")
                .forEach(item ->
                        item.forEach(op -> documented.add(op.path("operationId").asText())));
        documented.remove("streamEvents"); // an endless stream: EventStreamTest reads it
        assertThat(exercised).as("every documented operation is called here").isEqualTo(documented);
    }

    private static void check(Response r, String method, String path) throws IOException {
        check(r, method, path, r.status() < 300 ? r.status() : 200);
    }

    /** The answer has the status it should, and the document lists that status with this media type and schema. */
    private static void check(Response r, String method, String path, int status) throws IOException {
        JsonNode op = doc.path("paths").path(path).path(method);
        assertThat(op.isObject()).as(method + " " + path + " is documented").isTrue();
        assertThat(r.status()).as(method + " " + path + ": " + r.body()).isEqualTo(status);
        JsonNode answer = op.path("responses").path(String.valueOf(status));
        assertThat(answer.isObject())
                .as(method + " " + path + " documents " + status)
                .isTrue();
        String type =
                r.headers().firstValue("Content-Type").orElse("").split(";")[0].strip();
        JsonNode media = answer.path("content").path(type);
        assertThat(media.isObject())
                .as(method + " " + path + " " + status + " documents " + type)
                .isTrue();
        if (type.endsWith("json")) {
            assertThat(errors(media.path("schema"), r.body()))
                    .as(method + " " + path + " " + status + " " + r.body())
                    .extracting(Error::toString)
                    .isEmpty();
        }
        exercised.add(op.path("operationId").asText());
    }

    /** What is wrong with {@code body} by a schema of the document (its $refs resolved in the document). */
    private static List<Error> errors(JsonNode documented, JsonNode body) {
        ObjectNode schema = ((ObjectNode) documented).deepCopy();
        schema.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        schema.set("components", doc.path("components"));
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(schema)
                .validate(body);
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = OpenApiContractTest.class.getClassLoader().getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
