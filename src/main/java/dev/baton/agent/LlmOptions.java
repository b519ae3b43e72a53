package dev.baton.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The options of an {@code llm} agent: an OpenAI-compatible chat-completions endpoint.
 *
 * @param baseUrl the API's base, e.g. {@code https://api.openai.com/v1} or Ollama's {@code http://127.0.0.1:11434/v1}
 * @param apiKeyEnv the environment variable that holds the API key, or null to send none
 * @param system the system prompt, or null
 * @param prompt template of the user message; {@code {{ input }}} and friends are substituted
 * @param temperature sampling temperature, or null for the server's default
 * @param maxTokens the most tokens of the answer, or null for the server's default
 * @param timeout connect and read timeout of one call
 * @param concurrency consumers on the agent's queue
 * @param tools MCP servers whose tools the model may call; empty for none
 * @param maxToolCalls the most tool calls in one attempt
 */
public record LlmOptions(
        URI baseUrl,
        String model,
        String apiKeyEnv,
        String system,
        String prompt,
        Output output,
        Double temperature,
        Integer maxTokens,
        Duration timeout,
        int concurrency,
        List<ToolServer> tools,
        int maxToolCalls) {
    static final Set<String> OPTIONS = Set.of(
            "baseUrl",
            "model",
            "apiKeyEnv",
            "system",
            "prompt",
            "output",
            "temperature",
            "maxTokens",
            "timeout",
            "concurrency",
            "tools",
            "maxToolCalls");
    static final int DEFAULT_MAX_TOOL_CALLS = 10;
    private static final Set<String> TOOL_SERVER_OPTIONS = Set.of("command", "url", "env", "timeout", "allow");

    /**
     * An MCP server whose tools the model may call.
     *
     * @param allow the tools offered to the model, or empty for all the server has
     */
    public record ToolServer(McpServerOptions server, List<String> allow) {}

    /** Options without tools. */
    public LlmOptions(
            URI baseUrl,
            String model,
            String apiKeyEnv,
            String system,
            String prompt,
            Output output,
            Double temperature,
            Integer maxTokens,
            Duration timeout,
            int concurrency) {
        this(
                baseUrl,
                model,
                apiKeyEnv,
                system,
                prompt,
                output,
                temperature,
                maxTokens,
                timeout,
                concurrency,
                List.of(),
                DEFAULT_MAX_TOOL_CALLS);
    }

    static final String DEFAULT_PROMPT = "{{ input }}";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    /** What the ticket's output is made of. */
    public enum Output {
        /** The answer parsed as JSON; an answer that is not JSON fails the ticket for good. */
        JSON,
        /** The answer as a JSON string. */
        TEXT
    }

    /** Reads and checks the entry's options, adding every problem to the entry's errors. */
    static LlmOptions read(RegistryEntry e, Set<String> common) {
        e.onlyOptions("llm", common, OPTIONS);
        URI baseUrl = e.httpUrl("baseUrl", "llm");
        String model = e.requiredText("model", "llm");
        String keyEnv = e.text("apiKeyEnv");
        if (keyEnv != null && !EnvValues.NAME.matcher(keyEnv).matches()) {
            e.error(
                    "apiKeyEnv",
                    "apiKeyEnv must name an environment variable (letters, digits, _), not '" + keyEnv
                            + "'; the key itself never goes in this file");
        }
        String prompt = e.text("prompt");
        Output output = Output.JSON;
        String out = e.text("output");
        if (out != null) {
            try {
                output = Output.valueOf(out.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException x) {
                e.error("output", "output '" + out + "' is unknown; use one of json, text");
            }
        }
        Integer concurrency = e.integer("concurrency", 1, 1000);
        return new LlmOptions(
                baseUrl,
                model,
                keyEnv,
                e.text("system"),
                prompt == null ? DEFAULT_PROMPT : prompt,
                output,
                e.number("temperature", 0, 2),
                e.integer("maxTokens", 1, 10_000_000),
                e.duration("timeout", DEFAULT_TIMEOUT),
                concurrency == null ? 4 : concurrency,
                tools(e),
                maxToolCalls(e));
    }

    private static int maxToolCalls(RegistryEntry e) {
        Integer max = e.integer("maxToolCalls", 1, 1000);
        if (max != null && !e.node.hasNonNull("tools")) {
            e.error("maxToolCalls", "maxToolCalls needs tools");
        }
        return max == null ? DEFAULT_MAX_TOOL_CALLS : max;
    }

    private static List<ToolServer> tools(RegistryEntry e) {
        JsonNode list = e.node.get("tools");
        if (list == null || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            e.error("tools", "tools must be a list of MCP servers, each {command: [...]} or {url: ...}");
            return List.of();
        }
        List<ToolServer> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "tools." + i;
            JsonNode item = list.get(i);
            if (!item.isObject()) {
                e.error(at, at + " must be an MCP server, {command: [...]} or {url: ...}");
                continue;
            }
            RegistryEntry server = e.child(at, item);
            server.onlyOptions("llm tools", Set.of(), TOOL_SERVER_OPTIONS);
            List<String> allow = new ArrayList<>();
            JsonNode a = item.get("allow");
            if (a != null && !a.isNull()) {
                if (!a.isArray()) {
                    server.error("allow", "allow must be a list of tool names");
                } else {
                    a.forEach(n -> allow.add(n.asText()));
                }
            }
            out.add(new ToolServer(McpServerOptions.read(server, "an MCP server of tools"), List.copyOf(allow)));
        }
        return List.copyOf(out);
    }
}
