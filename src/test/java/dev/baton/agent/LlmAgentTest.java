package dev.baton.agent;

import static dev.baton.agent.FakeService.chatCompletion;
import static dev.baton.agent.FakeService.openAiError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.agent.FakeService.Answer;
import dev.baton.agent.protocol.Ticket;
import dev.baton.agent.protocol.Usage;
import dev.baton.pipeline.Json;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The llm kind against a local server that speaks the OpenAI chat-completions shapes. */
class LlmAgentTest {
    static final String KEY = "sk-test-0123456789abcdef";
    static final Ticket TICKET = new Ticket(
            "t-1",
            "r-1",
            "p",
            "review",
            0,
            null,
            "review[0]",
            Ticket.Purpose.WORK,
            1,
            "writer",
            Json.parse("{\"title\": \"Camel\", \"words\": 120}"),
            Json.parse("{\"tone\": \"dry\"}"),
            null,
            null,
            null);

    FakeService server;

    @BeforeEach
    void start() throws Exception {
        server = FakeService.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    LlmAgent agent(LlmOptions.Output output, String system, String prompt, Duration timeout) {
        var options = new LlmOptions(
                URI.create(server.url("/v1")),
                "test-model",
                "TEST_LLM_KEY",
                system,
                prompt,
                output,
                0.2,
                300,
                timeout,
                1);
        return new LlmAgent("writer", options, Map.of("TEST_LLM_KEY", KEY)::get);
    }

    LlmAgent agent(LlmOptions.Output output) {
        return agent(
                output,
                "You review {{ stage }} drafts in a {{ params.tone }} tone.",
                "Review '{{ input.title }}': {{ input }}",
                Duration.ofSeconds(20));
    }

    @Test
    void sendsTheModelTheSystemPromptAndTheRenderedInputWithTheKeyAndReturnsParsedJsonWithUsage() throws Exception {
        server.path(
                "/v1/chat/completions", (n, r) -> chatCompletion("{\"verdict\": \"approve\", \"score\": 7}", 42, 9));

        AgentResult result = agent(LlmOptions.Output.JSON).handle(TICKET);

        assertThat(result.output()).isEqualTo(Json.parse("{\"verdict\": \"approve\", \"score\": 7}"));
        assertThat(result.usage()).isEqualTo(new Usage(42L, 9L, 51L));
        var request = server.requests("/v1/chat/completions").get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.header("Authorization")).isEqualTo("Bearer " + KEY);
        JsonNode body = request.json();
        assertThat(body.path("model").asText()).isEqualTo("test-model");
        assertThat(body.path("temperature").asDouble()).isEqualTo(0.2);
        assertThat(body.path("max_tokens").asInt()).isEqualTo(300);
        assertThat(body.path("messages")).hasSize(2);
        assertThat(body.path("messages").get(0).path("role").asText()).isEqualTo("system");
        assertThat(body.path("messages").get(0).path("content").asText())
                .isEqualTo("You review review drafts in a dry tone.");
        assertThat(body.path("messages").get(1).path("role").asText()).isEqualTo("user");
        assertThat(body.path("messages").get(1).path("content").asText())
                .isEqualTo("Review 'Camel': {\"title\":\"Camel\",\"words\":120}");
    }

    @Test
    void withoutAPromptTheUserMessageIsTheInputAndWithoutASystemPromptThereIsNoSystemMessage() throws Exception {
        server.path("/v1/chat/completions", (n, r) -> chatCompletion("plain words", 5, 2));

        AgentResult result = agent(LlmOptions.Output.TEXT, null, LlmOptions.DEFAULT_PROMPT, Duration.ofSeconds(20))
                .handle(TICKET);

        assertThat(result.output().isTextual()).isTrue();
        assertThat(result.output().asText()).isEqualTo("plain words");
        JsonNode messages =
                server.requests("/v1/chat/completions").get(0).json().path("messages");
        assertThat(messages).hasSize(1);
        assertThat(messages.get(0).path("content").asText()).isEqualTo("{\"title\":\"Camel\",\"words\":120}");
    }

    @Test
    void jsonInACodeFenceIsJson() throws Exception {
        server.path("/v1/chat/completions", (n, r) -> chatCompletion("```json\n{\"ok\": true}\n```", 1, 1));

        assertThat(agent(LlmOptions.Output.JSON).handle(TICKET).output()).isEqualTo(Json.parse("{\"ok\": true}"));
    }

    @Test
    void anAnswerThatIsNotJsonFailsForGoodAndStillReportsTheTokens() {
        server.path("/v1/chat/completions", (n, r) -> chatCompletion("42 is the answer", 10, 4));

        assertThatThrownBy(() -> agent(LlmOptions.Output.JSON).handle(TICKET))
                .isInstanceOfSatisfying(AgentFailure.class, f -> {
                    assertThat(f.retryable()).isFalse();
                    assertThat(f.getMessage())
                            .isEqualTo("agent 'writer' (model test-model at " + server.url("/v1")
                                    + "): the model's answer is not JSON (output: json): 42 is the answer");
                    assertThat(f.usage().totalTokens()).isEqualTo(14L);
                });
    }

    @ParameterizedTest
    @ValueSource(ints = {429, 500, 502, 503})
    void rateLimitsAndServerErrorsMayPass(int status) {
        server.path("/v1/chat/completions", (n, r) -> openAiError(status, "try later"));

        assertThatThrownBy(() -> agent(LlmOptions.Output.JSON).handle(TICKET))
                .isInstanceOfSatisfying(AgentFailure.class, f -> {
                    assertThat(f.retryable()).isTrue();
                    assertThat(f.getMessage())
                            .contains("answered HTTP " + status)
                            .contains("try later");
                });
        assertThat(server.requests("/v1/chat/completions")).hasSize(1); // no retries inside the call
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 403, 404, 422})
    void otherClientErrorsAreFinalAndTheirMessageKeepsNoSecret(int status) {
        server.path("/v1/chat/completions", (n, r) -> openAiError(status, "Incorrect API key provided: " + KEY));

        assertThatThrownBy(() -> agent(LlmOptions.Output.JSON).handle(TICKET))
                .isInstanceOfSatisfying(AgentFailure.class, f -> {
                    assertThat(f.retryable()).isFalse();
                    assertThat(f.getMessage())
                            .contains("answered HTTP " + status)
                            .contains("Incorrect API key provided")
                            .doesNotContain(KEY)
                            .doesNotContain("0123456789");
                });
    }

    @Test
    void noAnswerInTimeMayPass() {
        server.path("/v1/chat/completions", (n, r) -> Answer.HANG);

        assertThatThrownBy(() -> agent(LlmOptions.Output.JSON, null, "{{ input }}", Duration.ofMillis(500))
                        .handle(TICKET))
                .isInstanceOfSatisfying(AgentFailure.class, f -> {
                    assertThat(f.retryable()).isTrue();
                    assertThat(f.getMessage()).contains("no answer within PT0.5S");
                });
    }

    @Test
    void aRefusedConnectionMayPass() throws Exception {
        String url = server.url("/v1");
        server.close();
        var options = new LlmOptions(
                URI.create(url),
                "m",
                null,
                null,
                "{{ input }}",
                LlmOptions.Output.TEXT,
                null,
                null,
                Duration.ofSeconds(5),
                1);

        assertThatThrownBy(() -> new LlmAgent("writer", options, name -> null).handle(TICKET))
                .isInstanceOfSatisfying(
                        AgentFailure.class, f -> assertThat(f.retryable()).isTrue());
    }

    @Test
    void aKeyVariableThatIsNotSetFailsForGoodWithoutCallingTheModel() {
        server.path("/v1/chat/completions", (n, r) -> chatCompletion("{}", 1, 1));
        var options = new LlmOptions(
                URI.create(server.url("/v1")),
                "m",
                "NOT_SET_KEY",
                null,
                "{{ input }}",
                LlmOptions.Output.JSON,
                null,
                null,
                Duration.ofSeconds(5),
                1);

        assertThatThrownBy(() -> new LlmAgent("writer", options, name -> null).handle(TICKET))
                .isInstanceOfSatisfying(AgentFailure.class, f -> {
                    assertThat(f.retryable()).isFalse();
                    assertThat(f.getMessage()).endsWith("environment variable NOT_SET_KEY (apiKeyEnv) is not set");
                });
        assertThat(server.requests("/v1/chat/completions")).isEmpty();
    }

    @Test
    void withoutAKeyVariableNoAuthorizationIsSent() throws Exception {
        server.path("/v1/chat/completions", (n, r) -> chatCompletion("{}", 1, 1));
        var options = new LlmOptions(
                URI.create(server.url("/v1")),
                "llama3.2",
                null,
                null,
                "{{ input }}",
                LlmOptions.Output.JSON,
                null,
                null,
                Duration.ofSeconds(5),
                1);

        new LlmAgent("local", options, name -> null).handle(TICKET);

        assertThat(server.requests("/v1/chat/completions").get(0).header("Authorization"))
                .isNull();
    }
}
