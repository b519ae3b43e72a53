package dev.baton.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.baton.agent.protocol.Usage;

/**
 * What a built-in agent made of a ticket.
 *
 * @param usage token usage for the reply, or null
 * @param toolCalls the tool calls made on the way, for the reply, or null
 */
public record AgentResult(JsonNode output, Usage usage, ArrayNode toolCalls) {
    public AgentResult(JsonNode output, Usage usage) {
        this(output, usage, null);
    }
}
