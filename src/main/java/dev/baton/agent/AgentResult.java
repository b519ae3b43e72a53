package dev.baton.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a built-in agent made of a ticket.
 *
 * @param usage token usage for the reply's {@code usage} field, or null
 * @param toolCalls the tool calls made on the way, for the reply's {@code toolCalls} field, or null
 */
public record AgentResult(JsonNode output, ObjectNode usage, ArrayNode toolCalls) {
    public AgentResult(JsonNode output, ObjectNode usage) {
        this(output, usage, null);
    }
}
