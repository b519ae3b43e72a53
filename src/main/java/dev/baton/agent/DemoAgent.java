package dev.baton.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.baton.pipeline.Json;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The deterministic {@code demo} agent: turns a ticket into the reply DESIGN §5 fixes for its options. */
public final class DemoAgent {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([a-zA-Z]+)(?:\\.([A-Za-z0-9_.-]+))?\\s*}}");

    private final String name;
    private final DemoOptions options;

    public DemoAgent(String name, DemoOptions options) {
        this.name = name;
        this.options = options;
    }

    /** The final reply for a ticket message. */
    public ObjectNode reply(JsonNode ticket) {
        int attempt = ticket.path("attempt").asInt(1);
        ObjectNode reply = Json.object().put("ticketId", ticket.path("ticketId").asText()).put("attempt", attempt);
        if (options.fail()) {
            reply.put("status", "failed");
            reply.set("error", Json.object().put("message", "agent " + name + " always fails").put("retryable", false));
        } else if (attempt <= options.failFirstAttempts()) {
            reply.put("status", "failed");
            reply.set("error", Json.object()
                    .put("message", "agent " + name + " fails attempt " + attempt + " of its first "
                            + options.failFirstAttempts()).put("retryable", true));
        } else {
            reply.put("status", "succeeded");
            reply.set("output", output(ticket));
        }
        return reply;
    }

    /** A progress report sent as the work starts, so the ticket shows RUNNING while the delay lasts. */
    public ObjectNode started(JsonNode ticket) {
        return Json.object().put("ticketId", ticket.path("ticketId").asText())
                .put("attempt", ticket.path("attempt").asInt(1)).put("status", "progress").put("percent", 0)
                .put("message", "started");
    }

    private JsonNode output(JsonNode ticket) {
        if (options.output() == null) {
            ObjectNode out = Json.object().put("agent", name).put("stage", ticket.path("stage").asText());
            out.set("input", ticket.path("input"));
            return out;
        }
        return substitute(options.output().deepCopy(), ticket);
    }

    private JsonNode substitute(JsonNode node, JsonNode ticket) {
        if (node.isTextual()) {
            String text = node.asText();
            Matcher whole = PLACEHOLDER.matcher(text);
            if (whole.matches()) {
                return value(whole.group(1), whole.group(2), ticket); // keep the JSON type
            }
            Matcher m = PLACEHOLDER.matcher(text);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                JsonNode v = value(m.group(1), m.group(2), ticket);
                m.appendReplacement(sb, Matcher.quoteReplacement(v.isTextual() ? v.asText() : Json.write(v)));
            }
            m.appendTail(sb);
            return new TextNode(sb.toString());
        }
        if (node instanceof ObjectNode o) {
            Iterator<Map.Entry<String, JsonNode>> it = o.fields();
            while (it.hasNext()) {
                var e = it.next();
                e.setValue(substitute(e.getValue(), ticket));
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                a.set(i, substitute(a.get(i), ticket));
            }
        }
        return node;
    }

    private JsonNode value(String root, String path, JsonNode ticket) {
        JsonNode base = switch (root) {
            case "input" -> ticket.path("input");
            case "item" -> ticket.path("item");
            case "agent" -> new TextNode(name);
            case "stage" -> ticket.path("stage");
            default -> new TextNode("{{ " + root + " }}");
        };
        if (path != null) {
            for (String part : path.split("\\.")) {
                base = base.path(part);
            }
        }
        return base.isMissingNode() ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : base;
    }
}
