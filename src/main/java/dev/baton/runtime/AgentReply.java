package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.pipeline.Json;

/**
 * A reply from an agent on {@code baton.results} (DESIGN §5): a final outcome or a progress report.
 *
 * @param retryable for failures: whether another attempt may succeed (default true)
 * @param sender the broker user that sent it when that user is an agent's (the broker stamps it); null for Baton's
 *     own user or when the broker does not say
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
        String sender) {

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
                retryable, percent, json.path("message").asText(null), sender);
    }
}
