package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
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
 * The mcp kind inside a real Baton against the MCP project's reference server from npm, over stdio and over
 * streamable HTTP: a tool call per ticket, its content as the output; a tool error, a tool the server lacks and a
 * server that dies are failed attempts that say why.
 */
class McpAgentTest {
    static final Duration RUN = Duration.ofSeconds(90);

    @TempDir
    static Path root;

    static EverythingServer http;
    static TestBaton baton;

    @BeforeAll
    static void start() throws Exception {
        String stdio = EverythingServer.stdioCommand();
        http = EverythingServer.startHttp(root.resolve("logs"));
        String agents = "agents:\n"
                + "  echo: {kind: mcp, command: " + stdio + ", tool: echo, timeout: 30s}\n"
                + "  echo-http: {kind: mcp, url: \"" + http.url() + "\", tool: echo, timeout: 30s}\n"
                + "  shout: {kind: mcp, command: " + stdio + ", tool: shout, timeout: 30s}\n"
                + "  dead: {kind: mcp, command: [node, -e, \"process.exit(3)\"], tool: echo, timeout: 3s}\n"
                + "  env-check: {kind: mcp, command: " + stdio + ", tool: get-env, env: {FROM_AGENT: given}, "
                + "timeout: 30s}\n";
        Map<String, String> routes = new LinkedHashMap<>();
        for (String agent : List.of("echo", "echo-http", "shout", "dead", "env-check")) {
            routes.put(agent + ".yaml", """
                    apiVersion: baton/v1
                    kind: Pipeline
                    metadata: {name: with-%s}
                    spec:
                      params:
                        args: {required: true}
                      pipeline:
                        stages:
                          - name: work
                            agent: %s
                            input: "$.params.args"
                            output: "$.work"
                            timeout: 40s
                            retry: {maxAttempts: 2, backoff: fixed, initialDelay: 200ms}
                    """.formatted(agent, agent));
        }
        baton = TestBaton.start(root, agents, routes);
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
        if (http != null) http.close();
    }

    static JsonNode run(String agent, String args) throws Exception {
        return baton.awaitRun(baton.startRun("with-" + agent, "{\"args\": " + args + "}"), RUN);
    }

    static JsonNode ticket(JsonNode run) {
        return run.path("stages").get(0).path("tickets").get(0);
    }

    @Test
    void theEchoToolOverStdioAnswersWithItsContent() throws Exception {
        JsonNode run = run("echo", "{\"message\": \"hello over stdio\"}");

        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
        assertThat(run.path("context").path("work").asText()).isEqualTo("Echo: hello over stdio");
        // the server process stays up between tickets
        JsonNode again = run("echo", "{\"message\": \"again\"}");
        assertThat(again.path("context").path("work").asText()).isEqualTo("Echo: again");
    }

    @Test
    void aStdioServerGetsItsEnvAndNotBatonsEnvironment() throws Exception {
        String leaked = System.getenv().keySet().stream()
                .filter(k -> !java.util.Set.of(
                                "PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ", "USER", "SHELL", "TERM")
                        .contains(k))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the test JVM has no variable to leak"));
        JsonNode run = run("env-check", "{}");

        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
        String env = run.path("context").path("work").toString();
        assertThat(env)
                .contains("FROM_AGENT")
                .contains("given")
                .contains("PATH")
                .doesNotContain("\\\"" + leaked + "\\\"")
                .doesNotContain("\"" + leaked + "\"");
    }

    @Test
    void aServerUrlIsNamedWithoutItsUserInfoOrQuery() {
        var options = new McpServerOptions(
                null,
                java.net.URI.create("http://u:s3cret@127.0.0.1:9/mcp?token=s3cret"),
                Map.of(),
                Duration.ofSeconds(1));
        assertThat(options.describe()).isEqualTo("http://127.0.0.1:9/mcp");
    }

    @Test
    void theEchoToolOverStreamableHttpAnswersWithItsContent() throws Exception {
        JsonNode run = run("echo-http", "{\"message\": \"hello over http\"}");

        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
        assertThat(run.path("context").path("work").asText()).isEqualTo("Echo: hello over http");
    }

    @Test
    void badArgumentsAreAToolErrorThatFailsTheTicketWithoutRetry() throws Exception {
        JsonNode run = run("echo", "{\"text\": 42}");

        assertThat(run.path("status").asText()).isEqualTo("FAILED");
        JsonNode ticket = ticket(run);
        assertThat(ticket.path("attempt").asInt()).isEqualTo(1);
        assertThat(ticket.path("error").asText())
                .startsWith("agent 'echo' (tool echo on node ")
                .contains("message");
    }

    @Test
    void aToolTheServerLacksFailsTheTicketNamingTheToolsItHas() throws Exception {
        JsonNode run = run("shout", "{\"message\": \"hi\"}");

        assertThat(run.path("status").asText()).isEqualTo("FAILED");
        assertThat(ticket(run).path("attempt").asInt()).isEqualTo(1);
        assertThat(ticket(run).path("error").asText())
                .contains("the server has no tool 'shout'; it has ")
                .contains("echo, ");
    }

    @Test
    void anInputThatIsNotAnObjectFailsTheTicket() throws Exception {
        JsonNode run = run("echo", "\"just text\"");

        assertThat(run.path("status").asText()).isEqualTo("FAILED");
        assertThat(ticket(run).path("error").asText())
                .endsWith(": the input must be a JSON object, the tool's arguments, not \"just text\"");
    }

    @Test
    void aServerThatExitsIsARetryableFailureAndEveryAttemptTriesAgain() throws Exception {
        JsonNode run = run("dead", "{\"message\": \"hi\"}");

        assertThat(run.path("status").asText()).isEqualTo("FAILED");
        assertThat(ticket(run).path("attempt").asInt()).isEqualTo(2);
        assertThat(ticket(run).path("error").asText())
                .startsWith("agent 'dead' (MCP server node -e process.exit(3)): connecting: ");
    }

    @Test
    void aRegistryEntryNeedsExactlyOneServerAndATool(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("agents.yaml");
        Files.writeString(file, """
                agents:
                  both: {kind: mcp, command: [node, server.js], url: "http://127.0.0.1:1/mcp", tool: echo}
                  none:
                    kind: mcp
                    command: node server.js
                """);

        assertThatThrownBy(() -> AgentRegistry.load(file))
                .hasMessage(String.join(
                        "\n",
                        file + ":2:3 agent 'both': mcp needs exactly one of command (stdio) and url (streamable HTTP)",
                        file + ":5:14 agent 'none': command must be a non-empty list: the program, then its arguments",
                        file + ":3:3 agent 'none': tool is required for kind mcp"));
    }
}
