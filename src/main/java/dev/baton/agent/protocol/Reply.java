package dev.baton.agent.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.baton.pipeline.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an agent sends on {@code baton.results} about one attempt of a ticket: its final outcome (succeeded or
 * failed) or a progress report. Fields that are null are not written.
 *
 * @param percent for progress: how far the work is, 0 to 100, or null
 * @param message for progress: what the agent is doing, or null
 * @param output for success: the stage's output ({@code null} is a value)
 * @param error for failure: why, and whether another attempt may succeed
 * @param usage token usage, or null; any kind of reply may carry it
 * @param toolCalls the tool calls the agent made, each {@code {tool, arguments, output | error}}, or null
 * @param instance the agent instance that sent it, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
    "ticketId",
    "attempt",
    "status",
    "percent",
    "message",
    "output",
    "error",
    "usage",
    "toolCalls",
    "instance"
})
public record Reply(
        String ticketId,
        int attempt,
        Status status,
        Integer percent,
        String message,
        JsonNode output,
        Failure error,
        Usage usage,
        List<JsonNode> toolCalls,
        String instance) {
    private static final Logger LOG = LoggerFactory.getLogger(Reply.class);
    /** At most this many tool calls are read from a reply, so one reply cannot flood a ticket's history. */
    public static final int MAX_TOOL_CALLS = 1000;

    /** What the reply says happened. */
    public enum Status {
        SUCCEEDED,
        FAILED,
        PROGRESS;

        @JsonValue
        String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Why an attempt failed.
     *
     * @param retryable whether another attempt may succeed
     */
    @JsonPropertyOrder({"message", "retryable"})
    public record Failure(String message, boolean retryable) {}

    /** A success of {@code ticket}'s attempt with its output (Java null is sent as JSON {@code null}). */
    public static Reply succeeded(Ticket ticket, JsonNode output) {
        return new Reply(
                ticket.ticketId(),
                ticket.attempt(),
                Status.SUCCEEDED,
                null,
                null,
                output == null ? NullNode.getInstance() : output,
                null,
                null,
                null,
                null);
    }

    /** A failure of {@code ticket}'s attempt. */
    public static Reply failed(Ticket ticket, String message, boolean retryable) {
        return new Reply(
                ticket.ticketId(),
                ticket.attempt(),
                Status.FAILED,
                null,
                null,
                null,
                new Failure(message, retryable),
                null,
                null,
                null);
    }

    /** A progress report on {@code ticket}'s attempt. */
    public static Reply progress(Ticket ticket, Integer percent, String message) {
        return new Reply(
                ticket.ticketId(), ticket.attempt(), Status.PROGRESS, percent, message, null, null, null, null, null);
    }

    /** This reply with token usage (null: none). */
    public Reply withUsage(Usage u) {
        return new Reply(ticketId, attempt, status, percent, message, output, error, u, toolCalls, instance);
    }

    /** This reply with the tool calls made (null or empty: none, and the field is not written). */
    public Reply withToolCalls(List<JsonNode> calls) {
        return new Reply(
                ticketId,
                attempt,
                status,
                percent,
                message,
                output,
                error,
                usage,
                calls == null || calls.isEmpty() ? null : List.copyOf(calls),
                instance);
    }

    /** This reply signed by agent instance {@code name}. */
    public Reply withInstance(String name) {
        return new Reply(ticketId, attempt, status, percent, message, output, error, usage, toolCalls, name);
    }

    /** The reply as its JSON text on the wire. */
    public String toJson() {
        return Json.write(this);
    }

    /**
     * Reads a reply leniently, as agents in any language write it: the status in any case, {@code error} as an object
     * or a plain message, a {@code ticketId} that may be left to the {@code JMSCorrelationID}. A malformed
     * {@code usage} is dropped with a warning (the outcome matters more than the bookkeeping), tool calls that are not
     * objects naming a tool are skipped, and an {@code instance} longer than 200 characters is ignored.
     *
     * @param correlationId the message's {@code JMSCorrelationID}, or null
     * @throws IllegalArgumentException when the body is not a reply, or names another ticket than the correlation id
     */
    public static Reply read(JsonNode json, String correlationId) {
        if (!json.isObject()) {
            throw new IllegalArgumentException("reply must be a JSON object");
        }
        String ticketId = json.path("ticketId").asText(correlationId);
        if (ticketId == null || ticketId.isBlank()) {
            throw new IllegalArgumentException("reply has no ticketId and no JMSCorrelationID");
        }
        if (correlationId != null && !correlationId.isBlank() && !correlationId.equals(ticketId)) {
            throw new IllegalArgumentException(
                    "reply names ticket " + ticketId + " but its JMSCorrelationID is " + correlationId);
        }
        if (!json.path("attempt").canConvertToInt()) {
            throw new IllegalArgumentException("reply for ticket " + ticketId + " has no integer 'attempt'");
        }
        Status status;
        try {
            status = Status.valueOf(json.path("status").asText("").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("reply status must be succeeded, failed or progress, not '"
                    + json.path("status").asText("") + "'");
        }
        JsonNode e = json.path("error");
        String errorMessage = e.isObject()
                ? e.path("message").asText("agent failed")
                : e.isTextual() ? e.asText() : status == Status.FAILED ? "agent failed" : null;
        Failure error = errorMessage == null
                ? null
                : new Failure(errorMessage, !e.isObject() || e.path("retryable").asBoolean(true));
        Integer percent = json.hasNonNull("percent") ? json.get("percent").asInt() : null;
        return new Reply(
                ticketId,
                json.get("attempt").asInt(),
                status,
                percent,
                json.path("message").asText(null),
                json.get("output"),
                error,
                usage(ticketId, json.get("usage")),
                toolCalls(json.get("toolCalls")),
                instance(json));
    }

    private static Usage usage(String ticketId, JsonNode usage) {
        if (usage == null || usage.isNull()) {
            return null;
        }
        Usage u = Usage.read(usage);
        if (u == null) {
            LOG.warn(
                    "reply for ticket {}: usage ignored; expected an object of non-negative integers {}",
                    ticketId,
                    Usage.FIELDS);
        }
        return u;
    }

    private static List<JsonNode> toolCalls(JsonNode calls) {
        if (calls == null || !calls.isArray()) {
            return List.of();
        }
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode c : calls) {
            if (c.isObject() && c.path("tool").isTextual() && out.size() < MAX_TOOL_CALLS) out.add(c);
        }
        return List.copyOf(out);
    }

    private static String instance(JsonNode json) {
        String instance = json.path("instance").isTextual()
                ? json.get("instance").asText().strip()
                : null;
        return instance == null || instance.isEmpty() || instance.length() > 200 ? null : instance;
    }
}
