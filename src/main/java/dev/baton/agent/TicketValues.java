package dev.baton.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.function.Function;

/** The names templates of built-in agents may use: {@code input}, {@code item}, {@code agent}, {@code stage}, {@code params}. */
final class TicketValues {
    private TicketValues() {}

    static Function<String, JsonNode> of(String agent, JsonNode ticket) {
        return root -> switch (root) {
            case "input" -> ticket.path("input");
            case "item" -> ticket.path("item");
            case "agent" -> new TextNode(agent);
            case "stage" -> ticket.path("stage");
            case "params" -> ticket.path("params");
            default -> null;
        };
    }
}
