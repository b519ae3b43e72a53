package dev.baton.agent.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Json;
import java.util.Locale;

/**
 * The work message Baton sends on an agent's queue: one attempt of one ticket.
 *
 * @param item the for_each index, or null (written as {@code null}) outside a for_each
 * @param iteration the loop iteration, or null (then not written) outside a loop
 * @param attempt the attempt number, which the reply must repeat
 * @param input the stage's input; {@code null} when it has none
 * @param params the run's parameters
 * @param deadline when the attempt's lease ends (ISO-8601), or null when the stage has no timeout
 * @param expiresAt when the broker drops the ticket if no agent took it (ISO-8601), or null
 * @param traceparent the W3C trace context of this attempt's span, for the agent's own spans to join the run's
 *     trace; absent when Baton's tracing is off
 */
@JsonPropertyOrder({
    "ticketId",
    "runId",
    "pipeline",
    "stage",
    "item",
    "iteration",
    "label",
    "purpose",
    "attempt",
    "agent",
    "input",
    "params",
    "deadline",
    "expiresAt",
    "traceparent"
})
@JsonIgnoreProperties(ignoreUnknown = true)
public record Ticket(
        String ticketId,
        String runId,
        String pipeline,
        String stage,
        Integer item,
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer iteration,
        String label,
        Purpose purpose,
        int attempt,
        String agent,
        JsonNode input,
        JsonNode params,
        String deadline,
        String expiresAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) String traceparent) {

    /** Why the ticket exists: the stage's work, or undoing it (compensation). */
    public enum Purpose {
        WORK,
        COMPENSATE;

        @JsonValue
        String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** An absent input or params is JSON {@code null} on the wire, and so in the record. */
    public Ticket {
        input = input == null ? NullNode.getInstance() : input;
        params = params == null ? NullNode.getInstance() : params;
    }

    /**
     * Reads a ticket message; fields it does not know are ignored, so an agent keeps working when Baton adds one.
     *
     * @throws IllegalArgumentException when the text is not a ticket
     */
    public static Ticket parse(String text) {
        JsonNode json = Json.parse(text);
        if (!json.isObject()) {
            throw new IllegalArgumentException("a ticket must be a JSON object");
        }
        // Bound without its two free-form values, which are put back as parsed: binding them would copy every node
        // (a params list of 10,000 items, for every item of a for_each over it).
        JsonNode input = ((ObjectNode) json).remove("input");
        JsonNode params = ((ObjectNode) json).remove("params");
        try {
            return Json.MAPPER.treeToValue(json, Ticket.class).with(input, params);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not a ticket: " + e.getOriginalMessage(), e);
        }
    }

    /** The same ticket with another input and params. */
    public Ticket with(JsonNode input, JsonNode params) {
        return new Ticket(
                ticketId,
                runId,
                pipeline,
                stage,
                item,
                iteration,
                label,
                purpose,
                attempt,
                agent,
                input,
                params,
                deadline,
                expiresAt,
                traceparent);
    }

    /** The ticket as its JSON text on the wire. */
    public String toJson() {
        return Json.write(this);
    }
}
