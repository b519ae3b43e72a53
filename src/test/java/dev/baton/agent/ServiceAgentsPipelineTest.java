package dev.baton.agent;

import static dev.baton.agent.FakeService.chatCompletion;
import static dev.baton.agent.FakeService.openAiError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.ScriptedAgent;
import dev.baton.TestBaton;
import dev.baton.agent.FakeService.Answer;
import dev.baton.pipeline.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The llm and http kinds inside a real Baton (embedded Artemis, H2): their replies go through the normal protocol, so
 * retries and permanent failures follow the stage's policy, and token usage lands on the ticket.
 */
class ServiceAgentsPipelineTest {
    static final String KEY = "sk-pipeline-key-0123456789";
    static final Duration RUN = Duration.ofSeconds(60);

    @TempDir
    static Path root;

    static FakeService service;
    static final java.util.concurrent.CountDownLatch PATIENT = new java.util.concurrent.CountDownLatch(1);
    static TestBaton baton;

    @BeforeAll
    static void start() throws Exception {
        service = FakeService.start()
                .path("/ok/v1/chat/completions", (n, r) -> chatCompletion("{\"verdict\": \"approve\"}", 30, 8))
                .path(
                        "/flaky/v1/chat/completions",
                        (n, r) -> n == 1 ? openAiError(500, "overloaded") : chatCompletion("{\"ok\": true}", 11, 3))
                .path("/bad/v1/chat/completions", (n, r) -> openAiError(400, "model 'nope' does not exist"))
                .path("/slow/v1/chat/completions", (n, r) -> n == 1 ? Answer.HANG : chatCompletion("\"late\"", 2, 1))
                .path("/chatty/v1/chat/completions", (n, r) -> chatCompletion("Sure! Here you go.", 6, 5))
                .path("/patient/v1/chat/completions", (n, r) -> {
                    try {
                        PATIENT.await(60, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return chatCompletion("{\"patient\": true}", 3, 3);
                })
                .path("/score", (n, r) -> Answer.json(200, "{\"score\": 0.75}"))
                .path(
                        "/flaky-score",
                        (n, r) -> n == 1 ? Answer.text(503, "down for maintenance") : Answer.text(200, "fine"))
                .path("/picky", (n, r) -> Answer.json(422, "{\"detail\": \"input.title is required\"}"));
        String llm = "{kind: llm, model: test-model, apiKeyEnv: LLM_KEY, baseUrl: \"%s\"";
        String agents = "agents:\n"
                + "  writer: " + llm.formatted(service.url("/ok/v1"))
                + ", system: \"You judge drafts.\", prompt: \"Judge: {{ input.draft }}\"}\n"
                + "  flaky-llm: " + llm.formatted(service.url("/flaky/v1")) + "}\n"
                + "  strict-llm: " + llm.formatted(service.url("/bad/v1")) + "}\n"
                + "  slow-llm: " + llm.formatted(service.url("/slow/v1")) + ", timeout: 1s}\n"
                + "  chatty-llm: " + llm.formatted(service.url("/chatty/v1")) + "}\n"
                + "  patient-llm: " + llm.formatted(service.url("/patient/v1")) + "}\n"
                + "  scorer: {kind: http, url: \"" + service.url("/score")
                + "\", headers: {X-Token: \"${env:HTTP_TOKEN}\"}}\n"
                + "  flaky-http: {kind: http, url: \"" + service.url("/flaky-score") + "\"}\n"
                + "  picky-http: {kind: http, url: \"" + service.url("/picky") + "\"}\n"
                + "  outside: {kind: external}\n";
        Map<String, String> routes = new LinkedHashMap<>();
        for (String agent : List.of(
                "writer",
                "flaky-llm",
                "strict-llm",
                "slow-llm",
                "chatty-llm",
                "patient-llm",
                "scorer",
                "flaky-http",
                "picky-http",
                "outside")) {
            routes.put(agent + ".yaml", """
                    apiVersion: baton/v1
                    kind: Pipeline
                    metadata: {name: with-%s}
                    spec:
                      params:
                        draft: {default: "Camel routes messages."}
                      pipeline:
                        stages:
                          - name: work
                            agent: %s
                            input: "$.params"
                            output: "$.work"
                            timeout: 30s
                            retry: {maxAttempts: 3, backoff: fixed, initialDelay: 200ms}
                    """.formatted(agent, agent));
        }
        baton = TestBaton.start(root, agents, routes, Map.of("LLM_KEY", KEY, "HTTP_TOKEN", "http-token-1")::get);
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
        if (service != null) service.close();
    }

    /** Runs {@code with-<agent>} to its end and returns the run as {@code GET /api/runs/{id}} shows it. */
    static JsonNode run(String agent) throws Exception {
        String id = baton.startRun("with-" + agent, "{}");
        baton.awaitRun(id, RUN);
        TestBaton.Response r = baton.get("/api/runs/" + id);
        assertThat(r.status()).isEqualTo(200);
        return r.body();
    }

    static JsonNode ticket(JsonNode run) {
        return run.path("stages").get(0).path("tickets").get(0);
    }

    @Test
    void anLlmAgentSucceedsWithTheParsedAnswerAndTheTokenUsageOnTheTicket() throws Exception {
        JsonNode run = run("writer");

        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.path("context").path("work")).isEqualTo(Json.parse("{\"verdict\": \"approve\"}"));
        JsonNode ticket = ticket(run);
        assertThat(ticket.path("attempt").asInt()).isEqualTo(1);
        assertThat(ticket.path("usage"))
                .isEqualTo(Json.parse("{\"promptTokens\": 30, \"completionTokens\": 8, \"totalTokens\": 38}"));
        var request = service.requests("/ok/v1/chat/completions").get(0);
        assertThat(request.header("Authorization")).isEqualTo("Bearer " + KEY);
        JsonNode body = request.json();
        assertThat(body.path("model").asText()).isEqualTo("test-model");
        assertThat(body.path("messages").get(0).path("content").asText()).isEqualTo("You judge drafts.");
        assertThat(body.path("messages").get(1).path("content").asText()).isEqualTo("Judge: Camel routes messages.");
        // The key is in no answer of the API and in no stored row.
        assertThat(Json.write(run)).doesNotContain(KEY);
        assertThat(baton.query(
                                "SELECT token_usage FROM ticket WHERE id = ?",
                                ticket.path("id").asText())
                        .get(0)
                        .get("token_usage"))
                .isEqualTo("{\"promptTokens\":30,\"completionTokens\":8,\"totalTokens\":38}");
    }

    @Test
    void aServerErrorIsRetriedAndTheNextAttemptSucceeds() throws Exception {
        JsonNode run = run("flaky-llm");

        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.path("context").path("work")).isEqualTo(Json.parse("{\"ok\": true}"));
        assertThat(ticket(run).path("attempt").asInt()).isEqualTo(2);
        assertThat(ticket(run).path("usage").path("totalTokens").asInt()).isEqualTo(14);
        assertThat(service.requests("/flaky/v1/chat/completions")).hasSize(2);
        assertThat(failures(run))
                .singleElement()
                .asString()
                .contains("answered HTTP 500")
                .contains("overloaded");
    }

    @Test
    void aRejectedRequestFailsAtOnceWithoutRetry() throws Exception {
        JsonNode run = run("strict-llm");

        assertThat(run.path("status").asText()).isEqualTo("FAILED");
        JsonNode ticket = ticket(run);
        assertThat(ticket.path("status").asText()).isEqualTo("FAILED");
        assertThat(ticket.path("attempt").asInt()).isEqualTo(1);
        assertThat(ticket.path("error").asText()).contains("answered HTTP 400").contains("model 'nope' does not exist");
        assertThat(service.requests("/bad/v1/chat/completions")).hasSize(1);
    }

    @Test
    void aTimeoutIsRetried() throws Exception {
        JsonNode run = run("slow-llm");

        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.path("context").path("work").asText()).isEqualTo("late");
        assertThat(ticket(run).path("attempt").asInt()).isEqualTo(2);
        assertThat(failures(run)).singleElement().asString().contains("no answer within PT1S; retrying");
    }

    @Test
    void anAnswerThatIsNotJsonFailsForGoodAndItsTokensAreStillCounted() throws Exception {
        JsonNode run = run("chatty-llm");

        assertThat(run.path("status").asText()).isEqualTo("FAILED");
        JsonNode ticket = ticket(run);
        assertThat(ticket.path("attempt").asInt()).isEqualTo(1);
        assertThat(ticket.path("error").asText())
                .endsWith("the model's answer is not JSON (output: json): Sure! Here you go.");
        assertThat(ticket.path("usage").path("totalTokens").asInt()).isEqualTo(11);
        assertThat(service.requests("/chatty/v1/chat/completions")).hasSize(1);
    }

    @Test
    void aCallThatLastsShowsTheTicketRunning() throws Exception {
        String id = baton.startRun("with-patient-llm", "{}");
        try {
            org.awaitility.Awaitility.await()
                    .atMost(RUN)
                    .until(() -> "RUNNING"
                            .equals(ticket(baton.get("/api/runs/" + id).body())
                                    .path("status")
                                    .asText()));
        } finally {
            PATIENT.countDown();
        }
        JsonNode run = baton.awaitRun(id, RUN);

        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.path("context").path("work")).isEqualTo(Json.parse("{\"patient\": true}"));
        assertThat(baton.query("SELECT detail FROM ticket_history WHERE run_id = ? AND status = 'RUNNING'", id))
                .singleElement()
                .satisfies(r -> assertThat((String) r.get("detail")).contains("calling"));
    }

    @Test
    void anHttpAgentPostsTheTicketAndItsJsonAnswerIsTheOutput() throws Exception {
        JsonNode run = run("scorer");

        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.path("context").path("work")).isEqualTo(Json.parse("{\"score\": 0.75}"));
        assertThat(ticket(run).has("usage")).isFalse();
        var request = service.requests("/score").get(0);
        assertThat(request.header("X-Token")).isEqualTo("http-token-1");
        JsonNode sent = request.json();
        assertThat(sent.path("ticketId").asText())
                .isEqualTo(ticket(run).path("id").asText());
        assertThat(sent.path("stage").asText()).isEqualTo("work");
        assertThat(sent.path("input")).isEqualTo(Json.parse("{\"draft\": \"Camel routes messages.\"}"));
    }

    @Test
    void anHttpServerErrorIsRetriedAndATextAnswerIsAString() throws Exception {
        JsonNode run = run("flaky-http");

        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.path("context").path("work").asText()).isEqualTo("fine");
        assertThat(ticket(run).path("attempt").asInt()).isEqualTo(2);
        assertThat(failures(run)).singleElement().asString().contains("answered HTTP 503: down for maintenance");
    }

    @Test
    void anHttpClientErrorFailsAtOnce() throws Exception {
        JsonNode run = run("picky-http");

        assertThat(run.path("status").asText()).isEqualTo("FAILED");
        assertThat(ticket(run).path("attempt").asInt()).isEqualTo(1);
        assertThat(ticket(run).path("error").asText())
                .contains("answered HTTP 422")
                .contains("input.title is required");
        assertThat(service.requests("/picky")).hasSize(1);
    }

    @Test
    void anyAgentMayReportUsageAndItIsSummedOverTheTicketsAttempts() throws Exception {
        AtomicInteger n = new AtomicInteger();
        try (ScriptedAgent agent = ScriptedAgent.start(baton, "outside", t -> {
            var reply = n.incrementAndGet() == 1
                    ? ScriptedAgent.fail("flaky", true)
                    : ScriptedAgent.succeed(Json.parse("{\"done\": 1}"));
            reply.set(
                    "usage",
                    Json.parse(
                            n.get() == 1
                                    ? "{\"promptTokens\": 10, \"completionTokens\": 2, \"totalTokens\": 12}"
                                    : "{\"promptTokens\": 20, \"totalTokens\": 25, \"cost\": \"ignored\"}"));
            return reply;
        })) {
            JsonNode run = run("outside");

            assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(ticket(run).path("usage"))
                    .isEqualTo(Json.parse("{\"promptTokens\": 30, \"completionTokens\": 2, \"totalTokens\": 37}"));
        }
    }

    /** The FAILED history details of the run's work ticket, in order. */
    static List<String> failures(JsonNode run) throws Exception {
        return baton
                .query(
                        "SELECT detail FROM ticket_history WHERE run_id = ? AND status = 'FAILED' ORDER BY seq",
                        run.path("id").asText())
                .stream()
                .map(r -> (String) r.get("detail"))
                .toList();
    }
}
