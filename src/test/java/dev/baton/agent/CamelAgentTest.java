package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import dev.baton.agent.FakeService.Answer;
import dev.baton.pipeline.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The camel kind inside a real Baton (embedded Artemis, H2): each agent is a route that sends the ticket's input to
 * a Camel endpoint: a language, a direct: route loaded from routes/, sql: on an H2 database, and http: to a local
 * server; an exception is a failed attempt that the stage's retry policy retries.
 */
class CamelAgentTest {
    static final Duration RUN = Duration.ofSeconds(60);

    @TempDir
    static Path root;

    static FakeService service;
    static TestBaton baton;

    @BeforeAll
    static void start() throws Exception {
        service = FakeService.start()
                .path(
                        "/shout",
                        (n, r) -> Answer.json(200, "{\"heard\": \"" + r.body().toUpperCase() + "\"}"))
                .path("/down", (n, r) -> Answer.text(500, "broken"));
        Files.createDirectories(root.resolve("config"));
        // A database of the deployment's own, bound as a Camel bean for the sql: endpoint.
        Files.writeString(root.resolve("config/application.properties"), """
                camel.beans.lookupDb = #class:org.h2.jdbcx.JdbcDataSource
                camel.beans.lookupDb.url = jdbc:h2:mem:lookup;DB_CLOSE_DELAY=-1;\
                INIT=CREATE TABLE IF NOT EXISTS price(item VARCHAR PRIMARY KEY, cents INT)\\\\;\
                MERGE INTO price KEY(item) VALUES ('apple', 30), ('pear', 45)
                """);
        String agents = "agents:\n"
                + "  greeter: {kind: camel, uri: \"language:simple:Hello ${body}\"}\n"
                + "  shouter: {kind: camel, uri: \"direct:shout\"}\n"
                + "  refuser: {kind: camel, uri: \"direct:refuse\", concurrency: 1}\n"
                + "  flaky: {kind: camel, uri: \"direct:flaky\"}\n"
                + "  prices: {kind: camel, uri: \"sql:SELECT item, cents FROM price WHERE item = :#item"
                + "?dataSource=#lookupDb\"}\n"
                + "  web: {kind: camel, uri: \"" + service.url("/shout") + "\"}\n"
                + "  web-down: {kind: camel, uri: \"" + service.url("/down") + "\"}\n";
        Map<String, String> routes = new LinkedHashMap<>();
        routes.put("camel-routes.yaml", """
                - route:
                    from:
                      uri: direct:shout
                      steps:
                        - setBody:
                            simple: '{"greeting": "Hello ${body}", "stage": "${header.BatonStage}"}'
                - route:
                    from:
                      uri: direct:refuse
                      steps:
                        - throwException:
                            exceptionType: java.lang.IllegalArgumentException
                            message: "no such customer: ${body}"
                - route:
                    from:
                      uri: direct:flaky
                      steps:
                        - choice:
                            when:
                              - simple: "${header.BatonAttempt} == 1"
                                steps:
                                  - throwException:
                                      exceptionType: java.lang.IllegalStateException
                                      message: "warming up"
                        - setBody:
                            simple: "attempt ${header.BatonAttempt} of ticket ${header.BatonTicketId}"
                """);
        for (String agent : List.of("greeter", "shouter", "refuser", "flaky", "prices", "web", "web-down")) {
            routes.put(agent + ".yaml", """
                    apiVersion: baton/v1
                    kind: Pipeline
                    metadata: {name: with-%s}
                    spec:
                      params:
                        in: {required: true}
                      pipeline:
                        stages:
                          - name: work
                            agent: %s
                            input: "$.params.in"
                            output: "$.work"
                            timeout: 30s
                            retry: {maxAttempts: 2, backoff: fixed, initialDelay: 200ms}
                    """.formatted(agent, agent));
        }
        baton = TestBaton.start(root, agents, routes);
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
        if (service != null) service.close();
    }

    static JsonNode run(String agent, String in) throws Exception {
        String id = baton.startRun("with-" + agent, "{\"in\": " + in + "}");
        return baton.awaitRun(id, RUN);
    }

    static JsonNode ticket(JsonNode run) {
        return run.path("stages").get(0).path("tickets").get(0);
    }

    @Test
    void aLanguageEndpointAnswersWithText() throws Exception {
        JsonNode run = run("greeter", "\"Ada\"");

        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.path("context").path("work"))
                .isEqualTo(new com.fasterxml.jackson.databind.node.TextNode("Hello Ada"));
    }

    @Test
    void aDirectRouteFromTheRoutesFolderAnswersWithJsonThatBecomesAnObject() throws Exception {
        JsonNode run = run("shouter", "\"camel\"");

        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.path("context").path("work"))
                .isEqualTo(Json.parse("{\"greeting\": \"Hello camel\", \"stage\": \"work\"}"));
    }

    @Test
    void anExceptionIsAFailedAttemptWithItsMessageAndIsRetriedUpToTheStagesLimit() throws Exception {
        JsonNode run = run("refuser", "\"c-42\"");

        assertThat(run.path("status").asText()).isEqualTo("FAILED");
        JsonNode ticket = ticket(run);
        assertThat(ticket.path("attempt").asInt()).isEqualTo(2);
        assertThat(ticket.path("error").asText())
                .isEqualTo("agent 'refuser' (direct:refuse): IllegalArgumentException: no such customer: c-42");
    }

    @Test
    void theRouteSeesTheAttemptAndASecondAttemptSucceeds() throws Exception {
        JsonNode run = run("flaky", "\"x\"");

        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        JsonNode ticket = ticket(run);
        assertThat(ticket.path("attempt").asInt()).isEqualTo(2);
        assertThat(run.path("context").path("work").asText())
                .isEqualTo("attempt 2 of ticket " + ticket.path("id").asText());
        assertThat(baton.query(
                        "SELECT detail FROM ticket_history WHERE run_id = ? AND status = 'FAILED' ORDER BY seq",
                        run.path("id").asText()))
                .singleElement()
                .satisfies(r -> assertThat((String) r.get("detail")).contains("IllegalStateException: warming up"));
    }

    @Test
    void anSqlEndpointTakesAnObjectInputAsNamedParametersAndItsRowsAreTheOutput() throws Exception {
        JsonNode run = run("prices", "{\"item\": \"pear\"}");

        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.path("context").path("work")).isEqualTo(Json.parse("[{\"ITEM\": \"pear\", \"CENTS\": 45}]"));
    }

    @Test
    void anHttpEndpointIsCalledWithTheInputAsItsBody() throws Exception {
        JsonNode run = run("web", "\"quiet please\"");

        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.path("context").path("work")).isEqualTo(Json.parse("{\"heard\": \"QUIET PLEASE\"}"));
        FakeService.Request request = service.requests("/shout").get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.body()).isEqualTo("quiet please");
        assertThat(request.header("BatonTicketId"))
                .isEqualTo(ticket(run).path("id").asText());
    }

    @Test
    void anHttpErrorIsAFailedAttemptNamingTheStatus() throws Exception {
        JsonNode run = run("web-down", "\"hello\"");

        assertThat(run.path("status").asText()).isEqualTo("FAILED");
        assertThat(ticket(run).path("error").asText())
                .contains("HttpOperationFailedException")
                .contains("statusCode: 500");
        assertThat(service.requests("/down")).hasSize(2);
    }

    @Test
    void anUnknownComponentOrAMissingUriIsAnErrorWithItsPlace(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("agents.yaml");
        Files.writeString(file, """
                agents:
                  lookup: {kind: camel, uri: "nosuch:thing"}
                  bare:
                    kind: camel
                    url: "direct:x"
                """);

        assertThatThrownBy(() -> AgentRegistry.load(file))
                .hasMessage(String.join(
                        "\n",
                        file
                                + ":2:30 agent 'lookup': uri 'nosuch:thing': no Camel component 'nosuch' is on the classpath",
                        file + ":5:5 agent 'bare': option 'url' is unknown for kind camel; use one of concurrency, uri",
                        file + ":3:3 agent 'bare': uri is required for kind camel"));
    }
}
