package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Json;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reply from an agent on {@code baton.results} (README: The agent protocol): a final outcome or a progress report.
 *
 * @param retryable for failures: whether another attempt may succeed (default true)
 * @param usage token usage the reply reports ({@code promptTokens}, {@code completionTokens}, {@code totalTokens}),
 *     or null; any reply kind may carry it
 * @param instance the agent instance that sent it, when it says (optional): Baton then knows who holds the attempt
 * @param sender the broker user that sent it when that user is an agent's (the broker stamps it); null for Baton's
 *     own user or when the broker does not say
 * @param toolCalls the tool calls the agent made in the attempt, each {@code {tool, arguments, output | error}},
 *     recorded in the ticket's history with the reply; empty when it says none
 */
public record AgentReply(
        String ticketId,
        int attempt,
        Kind kind,
        JsonNode output,
        String errorMessage,
        boolean retryable,
        Integer percent,
        String message,
        ObjectNode usage,
        String instance,
        String sender,
        List<JsonNode> toolCalls) {
    private static final Logger LOG = LoggerFactory.getLogger(AgentReply.class);
    private static final List<String> USAGE_FIELDS = List.of("promptTokens", "completionTokens", "totalTokens");

    /** What the reply says happened. */
    public enum Kind {
        SUCCEEDED,
        FAILED,
        PROGRESS
    }

    /** Parses a reply body; a body that is not a reply at all is a poison message. */
    public static AgentReply parse(String body, String correlationId) {
        return parse(body, correlationId, null);
    }

    /**
     * Parses a reply body sent by broker user {@code sender} (null: Baton's own or unknown). A body that is not a
     * reply at all, or that names another ticket than its {@code JMSCorrelationID}, is a poison message.
     */
    public static AgentReply parse(String body, String correlationId, String sender) {
        JsonNode json;
        try {
            json = Json.parse(body);
        } catch (IllegalArgumentException e) {
            throw new PoisonMessageException("reply is not JSON: " + e.getMessage());
        }
        if (!json.isObject()) {
            throw new PoisonMessageException("reply must be a JSON object");
        }
        String ticketId = json.path("ticketId").asText(correlationId);
        if (ticketId == null || ticketId.isBlank()) {
            throw new PoisonMessageException("reply has no ticketId and no JMSCorrelationID");
        }
        if (correlationId != null && !correlationId.isBlank() && !correlationId.equals(ticketId)) {
            throw new PoisonMessageException("reply names ticket " + ticketId + " but its JMSCorrelationID is "
                    + correlationId);
        }
        if (!json.path("attempt").canConvertToInt()) {
            throw new PoisonMessageException("reply for ticket " + ticketId + " has no integer 'attempt'");
        }
        Kind kind;
        try {
            kind = Kind.valueOf(json.path("status").asText("").toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new PoisonMessageException("reply status must be succeeded, failed or progress, not '"
                    + json.path("status").asText("") + "'");
        }
        JsonNode error = json.path("error");
        String errorMessage = error.isObject() ? error.path("message").asText("agent failed")
                : error.isTextual() ? error.asText() : kind == Kind.FAILED ? "agent failed" : null;
        boolean retryable = !error.isObject() || error.path("retryable").asBoolean(true);
        Integer percent = json.hasNonNull("percent") ? json.get("percent").asInt() : null;
        return new AgentReply(ticketId, json.get("attempt").asInt(), kind, json.get("output"), errorMessage,
                retryable, percent, json.path("message").asText(null), usage(ticketId, json.get("usage")),
                instance(json), sender, toolCalls(json.get("toolCalls")));
    }

    /**
     * This reply as a failure of its attempt because its body of {@code bytes} is larger than {@code limit}: nothing
     * it carries (output, error text, progress message) is kept, only who it answers. Retryable: the stage's retry
     * policy decides, as for any failed attempt.
     */
    AgentReply tooLarge(long bytes, int limit) {
        return new AgentReply(ticketId, attempt, Kind.FAILED, null, "reply of " + bytes + " bytes is larger than "
                + "baton.agents.max-output-size (" + limit + " bytes); its output was not stored", true, null, null,
                null, instance, sender, List.of());
    }

    /** The size of {@code text} in UTF-8 bytes, counted without copying it. */
    static long utf8Bytes(String text) {
        long n = 0;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch < 0x80) {
                n++;
            } else if (ch < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(ch) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /**
     * The reply's usage with only its known counters; a malformed one is left out with a warning rather than making
     * the reply a poison message: the outcome matters more than the bookkeeping.
     */
    private static ObjectNode usage(String ticketId, JsonNode usage) {
        if (usage == null || usage.isNull()) {
            return null;
        }
        ObjectNode out = Json.object();
        if (usage.isObject()) {
            for (String f : USAGE_FIELDS) {
                JsonNode v = usage.get(f);
                if (v != null && v.canConvertToLong() && v.isIntegralNumber() && v.asLong() >= 0) {
                    out.put(f, v.asLong());
                } else if (v != null && !v.isNull()) {
                    out.removeAll();
                    break;
                }
            }
        }
        if (out.isEmpty()) {
            LOG.warn("reply for ticket {}: usage ignored; expected an object of non-negative integers {}", ticketId,
                    USAGE_FIELDS);
            return null;
        }
        return out;
    }

    /** The reported tool calls that are objects naming a tool; at most 1000, so a reply cannot flood the history. */
    private static List<JsonNode> toolCalls(JsonNode calls) {
        if (calls == null || !calls.isArray()) {
            return List.of();
        }
        List<JsonNode> out = new java.util.ArrayList<>();
        for (JsonNode c : calls) {
            if (c.isObject() && c.path("tool").isTextual() && out.size() < 1000) out.add(c);
        }
        return List.copyOf(out);
    }

    private static String instance(JsonNode json) {
        String instance = json.path("instance").isTextual() ? json.get("instance").asText().strip() : null;
        return instance == null || instance.isEmpty() || instance.length() > 200 ? null : instance;
    }
}
