package dev.baton.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.baton.agent.protocol.Ticket;
import dev.baton.pipeline.Templates;
import java.util.Map;
import java.util.function.Function;

/**
 * The names templates of built-in agents may use: {@code input}, {@code item}, {@code agent}, {@code stage},
 * {@code params}, each a field of the ticket (or the agent's name).
 */
final class TicketValues {
    /** Names whose value is never an object, so a path under them never has a value; and what to say instead. */
    private static final Map<String, String> SCALARS = Map.of(
            "item",
                    "item is the ticket's for_each index (a number; null outside a for_each); the for_each item "
                            + "itself is the ticket's input (unless the for_each template sets another input), so use "
                            + "{{ input.%s }}",
            "agent", "agent is the agent's name, a string",
            "stage", "stage is the stage's name, a string");

    private TicketValues() {}

    /** A ticket with nothing in it: what {@link #check} asks {@link #of} about to learn which names it knows. */
    private static final Ticket NOTHING =
            new Ticket(null, null, null, null, null, null, null, null, 0, null, null, null, null, null, null);

    static Function<String, JsonNode> of(String agent, Ticket ticket) {
        return root -> switch (root) {
            case "input" -> ticket.input();
            case "item" -> ticket.item() == null ? NullNode.getInstance() : IntNode.valueOf(ticket.item());
            case "agent" -> new TextNode(agent);
            case "stage" -> ticket.stage() == null ? MissingNode.getInstance() : new TextNode(ticket.stage());
            case "params" -> ticket.params();
            default -> null;
        };
    }

    /**
     * Reports every placeholder of {@code template} (option {@code field} of the entry) that can never have a value:
     * an unknown name, or a path under a name that is never an object ({@code {{ item.id }}}).
     */
    static void check(JsonNode template, String field, RegistryEntry entry) {
        if (template == null) {
            return;
        }
        if (template.isTextual()) {
            for (Templates.Placeholder p : Templates.placeholders(template.asText())) {
                if (of("", NOTHING).apply(p.root()) == null) {
                    entry.error(
                            field,
                            "'" + p.text() + "' never has a value: '" + p.root() + "' is not a name "
                                    + "templates know; use input, item, agent, stage or params");
                } else if (p.path() != null && SCALARS.containsKey(p.root())) {
                    entry.error(
                            field,
                            "'" + p.text() + "' never has a value: "
                                    + SCALARS.get(p.root()).formatted(p.path()));
                }
            }
        } else if (template.isObject()) {
            template.properties().forEach(e -> check(e.getValue(), field + "." + e.getKey(), entry));
        } else if (template.isArray()) {
            template.forEach(v -> check(v, field, entry)); // positions are kept for mappings only
        }
    }
}
