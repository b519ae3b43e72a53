package dev.baton.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.StrictJson;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MCP server as an agent uses it, through the official MCP Java SDK: connected and initialized on first use,
 * its tools listed once, and connected again on the next call after the connection failed (a stdio server that
 * exited, an HTTP server that restarted).
 */
public final class McpConnection implements AutoCloseable {
    /** The variables of Baton's environment a stdio MCP server inherits; its {@code env} option adds the rest. */
    private static final java.util.Set<String> INHERITED_ENV =
            java.util.Set.of("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ", "USER", "SHELL", "TERM");

    private static final Logger LOG = LoggerFactory.getLogger(McpConnection.class);
    private static final JacksonMcpJsonMapper JSON = new JacksonMcpJsonMapper(new ObjectMapper());

    private final String who;
    private final McpServerOptions options;
    private final Function<String, String> env;
    private McpSyncClient client;
    private List<McpSchema.Tool> tools = List.of();

    /** @param who names the user in messages, e.g. {@code agent 'echo'} */
    public McpConnection(String who, McpServerOptions options, Function<String, String> env) {
        this.who = who;
        this.options = options;
        this.env = env;
    }

    /** The server's tools, connecting first if need be. */
    public synchronized List<McpSchema.Tool> tools() throws AgentFailure {
        client();
        return tools;
    }

    /**
     * One {@code tools/call}. A result with {@code isError} is returned as it is: the caller decides what a tool error
     * means.
     *
     * @throws AgentFailure permanent when the server refused the request (JSON-RPC error), retryable when it could
     *     not be reached or did not answer in time
     */
    public McpSchema.CallToolResult call(String tool, Map<String, Object> arguments) throws AgentFailure {
        McpSyncClient c;
        synchronized (this) {
            c = client();
        }
        try {
            return c.callTool(new McpSchema.CallToolRequest(tool, arguments));
        } catch (McpError e) {
            throw AgentFailure.permanent(what() + ": tools/call " + tool + " refused: " + e.getMessage());
        } catch (RuntimeException e) {
            drop(c);
            throw failure("tools/call " + tool, e);
        }
    }

    private McpSyncClient client() throws AgentFailure {
        if (client != null) {
            return client;
        }
        try {
            return connect();
        } catch (AgentFailure e) {
            if (!e.getMessage().endsWith(ENQUEUE_RACE)) {
                throw e;
            }
            // The SDK's stdio transport refuses a message sent while it sends another (a server notification answered
            // during initialize): a race of the SDK's, not a broken server, so a new process is tried once more.
            LOG.info("{}: {}; connecting again", who, e.getMessage());
            return connect();
        }
    }

    /** How the MCP SDK's stdio transport reports a message it could not queue (reactor's tryEmitNext failed). */
    private static final String ENQUEUE_RACE = "Failed to enqueue message";

    private McpSyncClient connect() throws AgentFailure {
        McpSyncClient c = McpClient.sync(transport())
                .requestTimeout(options.timeout())
                .initializationTimeout(options.timeout())
                .clientInfo(new McpSchema.Implementation("baton", "1"))
                .build();
        try {
            c.initialize();
            List<McpSchema.Tool> listed = new ArrayList<>();
            McpSchema.ListToolsResult page = c.listTools();
            listed.addAll(page.tools());
            while (page.nextCursor() != null && listed.size() < 10_000) {
                page = c.listTools(page.nextCursor());
                listed.addAll(page.tools());
            }
            tools = List.copyOf(listed);
        } catch (RuntimeException e) {
            c.close();
            throw failure("connecting", e);
        }
        LOG.info("{}: connected to MCP server {} ({} tools)", who, options.describe(), tools.size());
        client = c;
        return c;
    }

    private McpClientTransport transport() throws AgentFailure {
        if (options.url() != null) {
            URI u = options.url();
            String base = u.getScheme() + "://" + u.getRawAuthority();
            String endpoint = (u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath())
                    + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
            return HttpClientStreamableHttpTransport.builder(base)
                    .endpoint(endpoint)
                    .jsonMapper(JSON)
                    .connectTimeout(options.timeout())
                    .build();
        }
        Map<String, String> vars = new LinkedHashMap<>();
        List<String> secrets = new ArrayList<>();
        for (var v : options.env().entrySet()) {
            try {
                vars.put(v.getKey(), EnvValues.resolve(v.getValue(), env, secrets));
            } catch (AgentFailure e) {
                throw AgentFailure.permanent(what() + ": env " + v.getKey() + ": " + e.getMessage());
            }
        }
        List<String> cmd = options.command();
        StdioClientTransport t =
                new StdioClientTransport(
                        ServerParameters.builder(cmd.get(0))
                                .args(cmd.subList(1, cmd.size()))
                                .env(vars)
                                .build(),
                        JSON) {
                    /**
                     * The server gets the agent's {@code env} and what a program needs to start, not Baton's environment,
                     * which holds other agents' keys and Baton's own passwords.
                     */
                    @Override
                    protected ProcessBuilder getProcessBuilder() {
                        ProcessBuilder pb = new ProcessBuilder();
                        pb.environment().keySet().retainAll(INHERITED_ENV);
                        return pb;
                    }
                };
        t.setStdErrorHandler(line -> LOG.debug("{}: MCP server stderr: {}", who, line));
        return t;
    }

    private synchronized void drop(McpSyncClient c) {
        if (client == c) {
            client = null;
            try {
                c.close();
            } catch (RuntimeException e) {
                LOG.debug("{}: closing the MCP client failed: {}", who, e.toString());
            }
        }
    }

    private AgentFailure failure(String doing, RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException) {
                return AgentFailure.retryable(what() + ": " + doing + ": no answer within " + options.timeout());
            }
        }
        Throwable root = McpError.findRootCause(e);
        return AgentFailure.retryable(
                what() + ": " + doing + ": " + root.getClass().getSimpleName()
                        + (root.getMessage() == null ? "" : ": " + HttpFailures.excerpt(root.getMessage(), List.of())));
    }

    private String what() {
        return who + " (MCP server " + options.describe() + ")";
    }

    /**
     * A tool result as JSON: its structured content when it has some, else its content: one text block parsed as JSON
     * where it is JSON (else the text as a string), several blocks as an array of those.
     */
    public static JsonNode output(McpSchema.CallToolResult r) {
        if (r.structuredContent() != null) {
            return Json.MAPPER.valueToTree(r.structuredContent());
        }
        List<McpSchema.Content> content = r.content() == null ? List.of() : r.content();
        if (content.isEmpty()) {
            return NullNode.getInstance();
        }
        if (content.size() == 1) {
            return block(content.get(0));
        }
        ArrayNode all = Json.MAPPER.createArrayNode();
        content.forEach(c -> all.add(block(c)));
        return all;
    }

    /** The result's text blocks joined, as a tool error or a model reads them. */
    public static String text(McpSchema.CallToolResult r) {
        List<String> parts = new ArrayList<>();
        if (r.content() != null) {
            for (McpSchema.Content c : r.content()) {
                parts.add(c instanceof McpSchema.TextContent t ? t.text() : Json.write(Json.MAPPER.valueToTree(c)));
            }
        }
        return parts.isEmpty() && r.structuredContent() != null
                ? Json.write(Json.MAPPER.valueToTree(r.structuredContent()))
                : String.join("\n", parts);
    }

    private static JsonNode block(McpSchema.Content c) {
        if (c instanceof McpSchema.TextContent t) {
            JsonNode json = StrictJson.parseOrNull(t.text());
            return json != null ? json : new TextNode(t.text());
        }
        return Json.MAPPER.valueToTree(c);
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            drop(client);
        }
    }
}
