package dev.baton.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.agent.protocol.Ticket;
import dev.baton.pipeline.Json;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.Map;
import java.util.function.Function;

/**
 * The {@code mcp} agent: each ticket is one {@code tools/call} of the configured tool with the ticket's input as the
 * arguments; the result's content is the output, and a tool error ({@code isError}) fails the attempt.
 */
public final class McpAgent implements ServiceAgent, AutoCloseable {
    private final String name;
    private final McpOptions options;
    private final McpConnection server;

    /** @param env looks up environment variables for the command's {@code env} ({@code System::getenv}; tests pass their own) */
    public McpAgent(String name, McpOptions options, Function<String, String> env) {
        this.name = name;
        this.options = options;
        this.server = new McpConnection("agent '" + name + "'", options.server(), env);
    }

    @Override
    public AgentResult handle(Ticket ticket) throws AgentFailure {
        JsonNode input = ticket.input();
        if (!input.isObject()) {
            throw AgentFailure.permanent(what() + ": the input must be a JSON object, the tool's arguments, not "
                    + (input.isNull() ? "nothing" : Json.write(input)));
        }
        if (server.tools().stream().noneMatch(t -> t.name().equals(options.tool()))) {
            throw AgentFailure.permanent(what() + ": the server has no tool '" + options.tool() + "'; it has "
                    + String.join(
                            ", ",
                            server.tools().stream()
                                    .map(McpSchema.Tool::name)
                                    .sorted()
                                    .toList()));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> arguments = Json.MAPPER.convertValue(input, Map.class);
        McpSchema.CallToolResult result = server.call(options.tool(), arguments);
        if (Boolean.TRUE.equals(result.isError())) {
            // The tool ran and said no: the same arguments would get the same answer.
            throw AgentFailure.permanent(what() + ": the tool answered with an error: "
                    + HttpFailures.excerpt(McpConnection.text(result), java.util.List.of()));
        }
        return new AgentResult(McpConnection.output(result), null);
    }

    private String what() {
        return "agent '" + name + "' (tool " + options.tool() + " on "
                + options.server().describe() + ")";
    }

    @Override
    public void close() {
        server.close();
    }
}
