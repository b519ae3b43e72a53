package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.agent.protocol.Reply;
import dev.baton.pipeline.Json;
import java.util.List;

/**
 * A reply from an agent on {@code baton.results} ({@link Reply} on the wire) as the engine uses it: a final outcome
 * or a progress report.
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
        Reply r;
        try {
            r = Reply.read(json, correlationId);
        } catch (IllegalArgumentException e) {
            throw new PoisonMessageException(e.getMessage());
        }
        return new AgentReply(
                r.ticketId(),
                r.attempt(),
                Kind.valueOf(r.status().name()),
                r.output(),
                r.error() == null ? null : r.error().message(),
                r.error() == null || r.error().retryable(),
                r.percent(),
                r.message(),
                r.usage() == null ? null : r.usage().toObject(),
                r.instance(),
                sender,
                r.toolCalls());
    }

    /**
     * This reply as a failure of its attempt because its body of {@code bytes} is larger than {@code limit}: nothing
     * it carries (output, error text, progress message) is kept, only who it answers. Retryable: the stage's retry
     * policy decides, as for any failed attempt.
     */
    AgentReply tooLarge(long bytes, int limit) {
        return new AgentReply(
                ticketId,
                attempt,
                Kind.FAILED,
                null,
                "reply of " + bytes + " bytes is larger than " + "baton.agents.max-output-size (" + limit
                        + " bytes); its output was not stored",
                true,
                null,
                null,
                null,
                instance,
                sender,
                List.of());
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
            } else if (Character.isHighSurrogate(ch)
                    && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
