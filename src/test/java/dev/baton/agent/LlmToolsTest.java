package dev.baton.agent;

import static dev.baton.agent.FakeService.chatCompletion;
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
 * An llm agent with tools inside a real Baton: a local OpenAI-compatible server (over real HTTP) plays a model that
 * asks for tool calls, the MCP project's reference server from npm runs them over stdio; every call lands in the
 * ticket's history, and maxToolCalls bounds the loop.
 */
class LlmToolsTest {
    static final Duration RUN = Duration.ofSeconds(90);

    @TempDir
    static Path root;

    static FakeService model;
    static TestBaton baton;

    @BeforeAll
    static void start() throws Exception {
        String stdio = EverythingServer.stdioCommand();
        model = FakeService.start()
                // asks for echo once, then answers with what the tool said
                .path(
                        "/tooled/v1/chat/completions",
                        (n, r) -> n == 1
                                ? toolCall("call_1", "echo", "{\"message\": \"from the model\"}", 20, 5)
                                : chatCompletion(
                                        "{\"said\": " + Json.write(Json.MAPPER.valueToTree(lastToolResult(r))) + "}",
                                        40,
                                        7))
                // asks for a call with wrong arguments every time: the tool errors, and the model never stops
                .path("/greedy/v1/chat/completions", (n, r) -> toolCall("call_" + n, "echo", "{\"text\": 1}", 10, 2));
        String agents = "agents:\n"
                + "  tooled: {kind: llm, model: test-model, baseUrl: \"" + model.url("/tooled/v1") + "\",\n"
                + "           tools: [{command: " + stdio
                + ", allow: [echo, get-sum], timeout: 30s}], maxToolCalls: 3}\n"
                + "  greedy: {kind: llm, model: test-model, baseUrl: \"" + model.url("/greedy/v1") + "\",\n"
                + "           tools: [{command: " + stdio + ", timeout: 30s}], maxToolCalls: 2}\n";
        Map<String, String> routes = new LinkedHashMap<>();
        for (String agent : List.of("tooled", "greedy")) {
            routes.put(agent + ".yaml", """
                    apiVersion: baton/v1
                    kind: Pipeline
                    metadata: {name: with-%s}
                    spec:
                      pipeline:
                        stages:
                          - name: work
                            agent: %s
                            output: "$.work"
                            timeout: 60s
                    """.formatted(agent, agent));
        }
        baton = TestBaton.start(root, agents, routes);
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
        if (model != null) model.close();
    }

    @Test
    void theModelCallsAToolOverMcpAndAnswersWithItsResult() throws Exception {
        JsonNode run = baton.awaitRun(baton.startRun("with-tooled", "{}"), RUN);

        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
        assertThat(run.path("context").path("work")).isEqualTo(Json.parse("{\"said\": \"Echo: from the model\"}"));
        JsonNode ticket = run.path("stages").get(0).path("tickets").get(0);
        assertThat(ticket.path("usage"))
                .isEqualTo(Json.parse("{\"promptTokens\": 60, \"completionTokens\": 12, \"totalTokens\": 72}"));
        // the model was offered the allowed tools only, with their schemas
        JsonNode offered =
                model.requests("/tooled/v1/chat/completions").get(0).json().path("tools");
        assertThat(offered)
                .extracting(t -> t.path("function").path("name").asText())
                .containsExactlyInAnyOrder("echo", "get-sum");
        JsonNode echo =
                offered.get(0).path("function").path("name").asText().equals("echo") ? offered.get(0) : offered.get(1);
        assertThat(echo.path("function")
                        .path("parameters")
                        .path("properties")
                        .path("message")
                        .path("type")
                        .asText())
                .isEqualTo("string");
        assertThat(echo.path("function")
                        .path("parameters")
                        .path("required")
                        .get(0)
                        .asText())
                .isEqualTo("message");
        // the tool's result went back to the model as the answer to its call
        JsonNode second =
                model.requests("/tooled/v1/chat/completions").get(1).json().path("messages");
        JsonNode toolMessage = second.get(second.size() - 1);
        assertThat(toolMessage.path("role").asText()).isEqualTo("tool");
        assertThat(toolMessage.path("tool_call_id").asText()).isEqualTo("call_1");
        assertThat(toolMessage.path("content").asText()).isEqualTo("Echo: from the model");
        // and the call is in the ticket's history
        assertThat(baton.query(
                        "SELECT detail, actor FROM ticket_history WHERE run_id = ? AND status = 'TOOL_CALL'",
                        run.path("id").asText()))
                .singleElement()
                .satisfies(h -> {
                    assertThat(h.get("detail"))
                            .isEqualTo("echo {\"message\":\"from the model\"} -> \"Echo: from the model\"");
                    assertThat(h.get("actor")).isEqualTo("tooled");
                });
    }

    @Test
    void toolErrorsGoBackToTheModelAndMaxToolCallsEndsTheLoop() throws Exception {
        JsonNode run = baton.awaitRun(baton.startRun("with-greedy", "{}"), RUN);

        assertThat(run.path("status").asText()).isEqualTo("FAILED");
        JsonNode ticket = run.path("stages").get(0).path("tickets").get(0);
        assertThat(ticket.path("error").asText())
                .endsWith(": the model asked for more than maxToolCalls (2) tool calls");
        assertThat(model.requests("/greedy/v1/chat/completions")).hasSize(3);
        assertThat(ticket.path("usage").path("totalTokens").asInt()).isEqualTo(36);
        List<Map<String, Object>> calls = baton.query(
                "SELECT detail FROM ticket_history WHERE run_id = ? AND status = 'TOOL_CALL' ORDER BY seq",
                run.path("id").asText());
        assertThat(calls)
                .hasSize(2)
                .allSatisfy(h -> assertThat((String) h.get("detail"))
                        .startsWith("echo {\"text\":1} failed: ")
                        .contains("Invalid arguments for tool echo"));
        // the model saw the tool's error
        JsonNode second =
                model.requests("/greedy/v1/chat/completions").get(1).json().path("messages");
        assertThat(second.get(second.size() - 1).path("content").asText())
                .startsWith("error: ")
                .contains("Invalid arguments for tool echo");
    }

    @Test
    void toolServersAreCheckedWhereTheyAreWritten(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("agents.yaml");
        Files.writeString(file, """
                agents:
                  writer:
                    kind: llm
                    baseUrl: http://127.0.0.1:1/v1
                    model: m
                    tools:
                      - {command: [node, s.js], url: "http://127.0.0.1:2/mcp"}
                      - {url: "http://127.0.0.1:2/mcp", tool: echo}
                """);

        assertThatThrownBy(() -> AgentRegistry.load(file))
                .hasMessage(String.join(
                        "\n",
                        file
                                + ":7:9 agent 'writer': an MCP server of tools needs exactly one of command (stdio) and url"
                                + " (streamable HTTP)",
                        file
                                + ":8:41 agent 'writer': option 'tool' is unknown for kind llm tools; use one of allow, command,"
                                + " env, timeout, url"));
    }

    /** An OpenAI chat-completions answer in which the model asks for one tool call. */
    static Answer toolCall(String id, String tool, String arguments, int promptTokens, int completionTokens) {
        var o = Json.object()
                .put("id", "chatcmpl-t")
                .put("object", "chat.completion")
                .put("created", 1764460800)
                .put("model", "test-model");
        var message = o.putArray("choices")
                .addObject()
                .put("index", 0)
                .put("finish_reason", "tool_calls")
                .putObject("message")
                .put("role", "assistant");
        message.putNull("content");
        message.putArray("tool_calls")
                .addObject()
                .put("id", id)
                .put("type", "function")
                .putObject("function")
                .put("name", tool)
                .put("arguments", arguments);
        o.putObject("usage")
                .put("prompt_tokens", promptTokens)
                .put("completion_tokens", completionTokens)
                .put("total_tokens", promptTokens + completionTokens);
        return Answer.json(200, Json.write(o));
    }

    static String lastToolResult(FakeService.Request r) {
        JsonNode messages = r.json().path("messages");
        JsonNode last = messages.get(messages.size() - 1);
        return last.path("role").asText().equals("tool") ? last.path("content").asText() : "<no tool result>";
    }
}
