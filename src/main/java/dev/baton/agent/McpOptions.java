package dev.baton.agent;

import java.util.Set;

/**
 * The options of an {@code mcp} agent: one tool on one MCP server, called once per ticket.
 *
 * @param concurrency consumers on the agent's queue, i.e. tool calls at the same time
 */
public record McpOptions(McpServerOptions server, String tool, int concurrency) {
    static final Set<String> OPTIONS = Set.of("command", "url", "env", "timeout", "tool", "concurrency");

    /** Reads and checks the entry's options, adding every problem to the entry's errors. */
    static McpOptions read(RegistryEntry e, Set<String> common) {
        e.onlyOptions("mcp", common, OPTIONS);
        McpServerOptions server = McpServerOptions.read(e, "mcp");
        String tool = e.requiredText("tool", "mcp");
        Integer concurrency = e.integer("concurrency", 1, 1000);
        return new McpOptions(server, tool, concurrency == null ? 4 : concurrency);
    }
}
