package dev.baton.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.StrictJson;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The MCP servers an {@code llm} agent's model may call tools of: offers their tools to the model as LangChain4j tool
 * specifications and makes the calls the model asks for, recording each one.
 */
final class LlmTools implements AutoCloseable {
    private record Server(McpConnection connection, List<String> allow) {}

    private final List<Server> servers = new ArrayList<>();

    LlmTools(String who, List<LlmOptions.ToolServer> tools, Function<String, String> env) {
        for (LlmOptions.ToolServer t : tools) {
            servers.add(new Server(new McpConnection(who, t.server(), env), t.allow()));
        }
    }

    /** The tools of one attempt: what the model is told, and which server has each. */
    record Offer(List<ToolSpecification> specifications, Map<String, McpConnection> owners) {
        /**
         * Calls the tool the model asked for and returns what the model is told; a tool error, unknown tool or bad
         * arguments go back to the model as text (it may do better), and every call is added to {@code calls}.
         *
         * @throws AgentFailure when the server cannot be reached: the attempt fails
         */
        String call(ToolExecutionRequest request, ArrayNode calls) throws AgentFailure {
            ObjectNode record = calls.addObject().put("tool", request.name());
            JsonNode args = StrictJson.parseOrNull(
                    request.arguments() == null || request.arguments().isBlank() ? "{}" : request.arguments());
            record.set(
                    "arguments",
                    args != null
                            ? args
                            : new com.fasterxml.jackson.databind.node.TextNode(String.valueOf(request.arguments())));
            McpConnection owner = owners.get(request.name());
            if (owner == null) {
                return error(record, "there is no tool named '" + request.name() + "'");
            }
            if (args == null || !args.isObject()) {
                return error(record, "the arguments must be a JSON object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> arguments = Json.MAPPER.convertValue(args, Map.class);
            McpSchema.CallToolResult result;
            try {
                result = owner.call(request.name(), arguments);
            } catch (AgentFailure f) {
                record.put("error", f.getMessage());
                throw f;
            }
            String text = McpConnection.text(result);
            if (Boolean.TRUE.equals(result.isError())) {
                return error(record, text);
            }
            record.set("output", McpConnection.output(result));
            return text;
        }

        private static String error(ObjectNode record, String message) {
            record.put("error", message);
            return "error: " + message;
        }
    }

    /** Lists the servers' tools (connecting on first use) and makes the offer. */
    Offer offer() throws AgentFailure {
        List<ToolSpecification> specs = new ArrayList<>();
        Map<String, McpConnection> owners = new LinkedHashMap<>();
        for (Server s : servers) {
            for (McpSchema.Tool tool : s.connection().tools()) {
                if ((s.allow().isEmpty() || s.allow().contains(tool.name())) && !owners.containsKey(tool.name())) {
                    owners.put(tool.name(), s.connection());
                    specs.add(ToolSpecification.builder()
                            .name(tool.name())
                            .description(tool.description())
                            .parameters(parameters(tool.inputSchema()))
                            .build());
                }
            }
        }
        return new Offer(List.copyOf(specs), owners);
    }

    /** The tool's input schema, each property passed on as the server wrote it. */
    private static JsonObjectSchema parameters(McpSchema.JsonSchema schema) {
        JsonObjectSchema.Builder b = JsonObjectSchema.builder();
        if (schema == null) {
            return b.build();
        }
        if (schema.properties() != null) {
            schema.properties()
                    .forEach((name, property) ->
                            b.addProperty(name, JsonRawSchema.from(Json.write(Json.MAPPER.valueToTree(property)))));
        }
        if (schema.required() != null) {
            b.required(schema.required());
        }
        return b.build();
    }

    @Override
    public void close() {
        servers.forEach(s -> s.connection().close());
    }
}
