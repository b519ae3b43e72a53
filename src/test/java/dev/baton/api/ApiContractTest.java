package dev.baton.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import dev.baton.TestBaton.Response;
import jakarta.jms.Connection;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST API's contract over real HTTP: the OpenAPI document, problem+json for every error (unknown paths and
 * methods included), keyset paging of runs, validation without loading, ticket caps, and Camel-internal headers from
 * HTTP and JMS that have no effect.
 */
class ApiContractTest {
    @TempDir
    static Path root;

    static TestBaton baton;

    static final String FAN = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: fan}
            spec:
              params:
                items: {required: true}
              pipeline:
                stages:
                  - name: each
                    dynamic:
                      generator: for_each
                      input: "$.params.items"
                      template: {name: "n-{{ index }}", agent: worker, input: "{{ item }}"}
                    output: "$.all"
            """;

    /** A plain Camel route over HTTP that shows which Camel headers it was given. */
    static final String HTTP_PROBE = """
            - route:
                id: http-probe
                from:
                  uri: platform-http:/probe
                  steps:
                    - setBody:
                        simple: "foo=${header.CamelFoo}|code=${header.CamelHttpResponseCode}|lower=${header.camelfoo}"
            """;

    /** A plain Camel route over JMS that would send elsewhere if CamelJmsDestinationName got through. */
    static final String JMS_PROBE = """
            - route:
                id: jms-probe
                from:
                  uri: jms:queue:probe.in
                  steps:
                    - setBody:
                        simple: "headers: ${headers}"
                    - to: jms:queue:probe.out
            """;

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(
                root,
                "default: {kind: demo}\n",
                Map.of(
                        "greet.yaml",
                        RunApiTest.PIPELINE,
                        "fan.yaml",
                        FAN,
                        "http-probe.yaml",
                        HTTP_PROBE,
                        "jms-probe.yaml",
                        JMS_PROBE));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    @Test
    void theOpenApiDocumentIsServedWithoutCredentialsAndListsEveryPath() throws Exception {
        Response r = baton.anonymous().get("/api/openapi.json");
        assertThat(r.status()).isEqualTo(200);
        JsonNode doc = r.body();
        assertThat(doc.path("openapi").asText()).startsWith("3.");
        assertThat(doc.at("/info/title").asText()).isEqualTo("Baton REST API");
        List<String> paths = new ArrayList<>();
        doc.path("paths").fieldNames().forEachRemaining(paths::add);
        assertThat(paths)
                .contains(
                        "/pipelines",
                        "/pipelines/validate",
                        "/pipelines/{name}",
                        "/pipelines/{name}/revisions",
                        "/pipelines/{name}/runs",
                        "/runs",
                        "/runs/{id}",
                        "/runs/{id}/history",
                        "/runs/{id}/events",
                        "/runs/{id}/webhooks",
                        "/runs/{id}/approvals/{stage}",
                        "/runs/{id}/cancel",
                        "/runs/{id}/rerun",
                        "/dead-letters",
                        "/health");
        assertThat(doc.at("/paths/~1runs/get/parameters").findValuesAsText("name"))
                .contains("pipeline", "status", "limit", "cursor");
        assertThat(doc.at("/components/securitySchemes/bearer/scheme").asText()).isEqualTo("bearer");
        assertThat(doc.at("/components/securitySchemes/basic/scheme").asText()).isEqualTo("basic");
        assertThat(doc.at("/components/securitySchemes/apiKey/name").asText()).isEqualTo("X-API-Key");
        assertThat(doc.at("/paths/~1runs~1{id}~1cancel/post/security").findValuesAsText("bearer"))
                .isNotNull();
        assertThat(doc.at("/paths/~1runs~1{id}~1cancel/post/security").toString())
                .contains("bearer", "basic");
        assertThat(doc.at("/paths/~1health/get/security").isMissingNode()).isTrue();
    }

    @Test
    void unknownPathsAndMethodsAreProblems() throws Exception {
        Response unknown = baton.get("/api/nothing-here");
        assertProblem(unknown, 404);
        assertThat(unknown.body().path("detail").asText())
                .isEqualTo("no resource at GET /api/nothing-here; GET /api/openapi.json lists every endpoint");
        assertProblem(baton.get("/elsewhere"), 404);
        assertProblem(baton.admin().request("DELETE", "/api/runs", null), 405);
        assertProblem(baton.admin().request("PUT", "/api/pipelines", "{}"), 405);
        assertProblem(baton.anonymous().request("DELETE", "/api/runs", null), 401);
        // the server's own hard ceiling (camel.server.max-body-size, 8 MiB) also answers in problem+json
        assertProblem(baton.post("/api/pipelines/greet/runs", "x".repeat(9 * 1024 * 1024)), 413);
        assertProblem(baton.post("/api/pipelines/greet/runs", "{\"who\": \"" + "x".repeat(1024 * 1024) + "\"}"), 413);
    }

    @Test
    void runsArePagedNewestFirstWithoutSkipsOrRepeatsWhileRunsStart() throws Exception {
        List<String> started = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            started.add(0, baton.startRun("greet", "{\"who\": \"page " + i + "\"}"));
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Response page = baton.get("/api/runs?pipeline=greet&limit=3" + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(page.status()).isEqualTo(200);
            page.body().path("items").forEach(r -> seen.add(r.path("id").asText()));
            cursor = page.body().path("next").isNull()
                    ? null
                    : page.body().path("next").asText();
            baton.startRun("greet", "{\"who\": \"meanwhile " + pages + "\"}"); // newer: never on a later page
            pages++;
        } while (cursor != null && pages < 20);
        assertThat(seen).startsWith(started.toArray(String[]::new));
        assertThat(new LinkedHashSet<>(seen)).as("no run twice").hasSize(seen.size());
        assertThat(seen).hasSizeGreaterThanOrEqualTo(7);

        String next = baton.get("/api/runs?pipeline=greet&limit=1")
                .body()
                .path("next")
                .asText();
        Response otherFilter = baton.get("/api/runs?pipeline=fan&limit=1&cursor=" + next);
        assertProblem(otherFilter, 400);
        assertThat(otherFilter.body().path("detail").asText()).startsWith("cursor was made for other filters");
        assertProblem(baton.get("/api/runs?cursor=bm9wZQ"), 400);
        assertProblem(baton.get("/api/runs?limit=0"), 400);
        assertProblem(baton.get("/api/runs?limit=x"), 400);

        Response succeeded = baton.get("/api/runs?status=SUCCEEDED&limit=1000");
        succeeded
                .body()
                .path("items")
                .forEach(r -> assertThat(r.path("status").asText()).isEqualTo("SUCCEEDED"));
    }

    @Test
    void validateChecksYamlWithoutLoadingIt() throws Exception {
        String good = RunApiTest.PIPELINE.replace("name: greet", "name: unseen");
        Response ok =
                baton.admin().request("POST", "/api/pipelines/validate", good, "Content-Type", "application/yaml");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body().path("valid").asBoolean()).isTrue();
        assertThat(ok.body().path("pipeline").asText()).isEqualTo("unseen");
        assertThat(ok.body().path("stages").get(0).asText()).isEqualTo("compose");

        Response bad =
                baton.admin().request("POST", "/api/pipelines/validate", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: broken}
                spec:
                  pipeline:
                    stages:
                      - {name: a, agent: x, dependsOn: [b], timeout: soon}
                      - {name: b, agent: x, dependsOn: [a]}
                """, "Content-Type", "application/yaml");
        assertProblem(bad, 422);
        assertThat(bad.body().path("errors"))
                .extracting(JsonNode::asText)
                .containsExactly(
                        "request:7:41 stage 'a': dependsOn forms a cycle: a -> b -> a",
                        "request:7:54 stage 'a': 'timeout' must be a duration like 30s, 5m or 1h, not 'soon'");
        assertProblem(
                baton.admin().request("POST", "/api/pipelines/validate", "<html/>", "Content-Type", "text/html"), 415);
        assertProblem(
                baton.admin().request("POST", "/api/pipelines/validate", "", "Content-Type", "application/yaml"), 422);

        assertProblem(baton.get("/api/pipelines/unseen"), 404);
        assertProblem(baton.get("/api/pipelines/unseen/revisions"), 404);
        assertThat(baton.query("SELECT * FROM pipeline_revision WHERE pipeline IN ('unseen', 'broken')"))
                .isEmpty();
    }

    @Test
    void aRunsTicketsCanBeCappedPerStageAndComePaged() throws Exception {
        String id = baton.startRun("fan", "{\"items\": [1, 2, 3, 4, 5]}");
        assertThat(baton.awaitRun(id, Duration.ofSeconds(60)).path("status").asText())
                .isEqualTo("SUCCEEDED");
        JsonNode whole = baton.get("/api/runs/" + id).body();
        assertThat(whole.at("/stages/0/tickets")).hasSize(5);
        assertThat(whole.at("/stages/0/ticketCount").asInt()).isEqualTo(5);
        assertThat(whole.at("/stages/0/ticketsNext").isNull()).isTrue();
        String stage = whole.at("/stages/0/name").asText();

        JsonNode capped = baton.get("/api/runs/" + id + "?tickets=2").body();
        assertThat(capped.at("/stages/0/tickets")).hasSize(2);
        assertThat(capped.at("/stages/0/ticketCount").asInt()).isEqualTo(5);
        // the stage's ticketsNext continues exactly where the view stopped, a page at a time
        List<String> ids = new java.util.ArrayList<>();
        capped.at("/stages/0/tickets").forEach(t -> ids.add(t.path("id").asText()));
        String cursor = capped.at("/stages/0/ticketsNext").asText();
        int pages = 0;
        while (cursor != null) {
            JsonNode page = baton.get("/api/runs/" + id + "/tickets?stage=" + stage + "&limit=2&cursor=" + cursor)
                    .body();
            assertThat(page.path("items").size()).isBetween(1, 2);
            page.path("items").forEach(t -> {
                assertThat(t.path("stage").asText()).isEqualTo(stage);
                ids.add(t.path("id").asText());
            });
            cursor = page.path("next").isNull() ? null : page.path("next").asText();
            pages++;
        }
        assertThat(pages).isEqualTo(2); // 3 more tickets in pages of 2
        List<String> all = new java.util.ArrayList<>();
        whole.at("/stages/0/tickets").forEach(t -> all.add(t.path("id").asText()));
        assertThat(ids).containsExactlyElementsOf(all);

        JsonNode none = baton.get("/api/runs/" + id + "?tickets=0").body();
        assertThat(none.at("/stages/0/tickets")).isEmpty();
        JsonNode fromStart = baton.get("/api/runs/" + id + "/tickets?stage=" + stage + "&cursor="
                        + none.at("/stages/0/ticketsNext").asText())
                .body();
        assertThat(fromStart.path("items")).hasSize(5);
        assertThat(fromStart.path("next").isNull()).isTrue();

        assertProblem(baton.get("/api/runs/" + id + "?tickets=-1"), 400);
        // a stage's cursor belongs to that stage's listing, not to the run's whole one
        assertProblem(
                baton.get("/api/runs/" + id + "/tickets?cursor="
                        + capped.at("/stages/0/ticketsNext").asText()),
                400);
    }

    @Test
    void camelHeadersSentOverHttpHaveNoEffect() throws Exception {
        Response r = baton.anonymous().get("/probe", "CamelFoo", "bar", "CamelHttpResponseCode", "299");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().path("text").asText()).isEqualTo("foo=|code=|lower=");
        Response lower = baton.anonymous().get("/probe", "camelfoo", "bar");
        assertThat(lower.body().path("text").asText()).isEqualTo("foo=|code=|lower=");

        String id = baton.startRun("greet", "{\"who\": \"headers\"}");
        Response api = baton.admin()
                .get(
                        "/api/runs/" + id,
                        "CamelHttpResponseCode",
                        "299",
                        "CamelHttpUri",
                        "/api/health",
                        "CamelHttpPath",
                        "/health",
                        "CamelHttpMethod",
                        "DELETE");
        assertThat(api.status()).isEqualTo(200);
        assertThat(api.body().path("id").asText()).isEqualTo(id);
        Response viewer = baton.as("viewer")
                .request(
                        "POST",
                        "/api/runs/" + id + "/cancel",
                        "",
                        "CamelHttpMethod",
                        "GET",
                        "CamelHttpUri",
                        "/api/runs");
        assertThat(viewer.status()).isEqualTo(403);
    }

    @Test
    void camelPropertiesSentOverJmsHaveNoEffect() throws Exception {
        var cf = baton.brokerConnections();
        try (Connection c = cf.createConnection()) {
            c.start();
            Session session = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            var out = session.createConsumer(session.createQueue("probe.out"));
            var elsewhere = session.createConsumer(session.createQueue("probe.elsewhere"));
            TextMessage m = session.createTextMessage("hello");
            m.setStringProperty("CamelFoo", "bar");
            m.setStringProperty("CamelJmsDestinationName", "probe.elsewhere");
            m.setStringProperty("org_DOT_apache_DOT_camel_DOT_x", "y");
            session.createProducer(session.createQueue("probe.in")).send(m);
            TextMessage got = (TextMessage) out.receive(30_000);
            assertThat(got).isNotNull();
            assertThat(got.getText())
                    .as("the headers the route saw")
                    .contains("JMSMessageID")
                    .doesNotContain("CamelFoo", "probe.elsewhere", "org.apache.camel.x", "org_DOT_apache");
            assertThat(elsewhere.receiveNoWait()).isNull();
            Set<String> names = new java.util.TreeSet<>();
            var e = got.getPropertyNames();
            while (e.hasMoreElements()) names.add((String) e.nextElement());
            assertThat(names).noneMatch(n -> n.startsWith("Camel") || n.startsWith("org_DOT_apache_DOT_camel"));
        }
    }

    static void assertProblem(Response r, int status) {
        assertThat(r.status()).as(r.body().toString()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).isEqualTo("application/problem+json");
        assertThat(r.body().path("status").asInt()).isEqualTo(status);
        assertThat(r.body().path("title").asText()).isNotBlank();
    }
}
