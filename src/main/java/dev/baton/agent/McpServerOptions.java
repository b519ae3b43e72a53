package dev.baton.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How to reach one MCP server: a command Baton starts and talks to over stdio, or the URL of a streamable HTTP
 * endpoint.
 *
 * @param command the program and its arguments (stdio), or null
 * @param url the server's MCP endpoint, e.g. {@code http://127.0.0.1:3001/mcp} (streamable HTTP), or null
 * @param env extra environment variables of the command; a value may take parts from {@code ${env:NAME}}
 * @param timeout how long one request (initialize, tools/list, tools/call) may take
 */
public record McpServerOptions(List<String> command, URI url, Map<String, String> env, Duration timeout) {
    static final Set<String> OPTIONS = Set.of("command", "url", "env", "timeout");
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    /** Reads the server options of the entry (an agent, or one item of an llm agent's {@code tools}). */
    static McpServerOptions read(RegistryEntry e, String kind) {
        JsonNode node = e.node;
        JsonNode cmd = node.get("command");
        JsonNode url = node.get("url");
        List<String> command = null;
        URI uri = null;
        if ((cmd == null || cmd.isNull()) == (url == null || url.isNull())) {
            e.error(kind + " needs exactly one of command (stdio) and url (streamable HTTP)");
        } else if (cmd != null && !cmd.isNull()) {
            if (!cmd.isArray() || cmd.isEmpty()) {
                e.error("command", "command must be a non-empty list: the program, then its arguments");
            } else {
                command = new ArrayList<>();
                for (JsonNode c : cmd) {
                    if (!c.isValueNode() || c.isNull() || c.asText().isEmpty()) {
                        e.error("command", "command must be a list of non-empty strings, not " + cmd);
                        command = null;
                        break;
                    }
                    command.add(c.asText());
                }
            }
        } else {
            uri = e.httpUrl("url", kind);
        }
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode en = node.get("env");
        if (en != null && !en.isNull()) {
            if (!en.isObject() || command == null && uri != null) {
                e.error("env", "env must be a mapping of variable name to value, for a command only");
            } else {
                en.properties().forEach(f -> {
                    String problem = f.getValue().isValueNode() && !f.getValue().isNull()
                            ? EnvValues.check(f.getValue().asText())
                            : "must have a text value";
                    if (!EnvValues.NAME.matcher(f.getKey()).matches()) {
                        problem = "is not a variable name";
                    }
                    if (problem != null) {
                        e.error("env." + f.getKey(), "env '" + f.getKey() + "': " + problem);
                    } else {
                        env.put(f.getKey(), f.getValue().asText());
                    }
                });
            }
        }
        return new McpServerOptions(
                command == null ? null : List.copyOf(command),
                uri,
                Map.copyOf(env),
                e.duration("timeout", DEFAULT_TIMEOUT));
    }

    /**
     * The server as people name it in messages, logs and ticket errors (which every viewer reads): its URL without
     * user info or query, where a token could be, or its command line.
     */
    public String describe() {
        if (url == null) {
            return String.join(" ", command);
        }
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
                + (url.getRawPath() == null ? "" : url.getRawPath());
    }
}
