package dev.baton.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.Templates;

/** The deterministic {@code demo} agent: turns a ticket into the reply the README fixes for its options. */
public final class DemoAgent {
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
            try {
                reply.set("output", output(ticket));
                reply.put("status", "succeeded");
            } catch (IllegalArgumentException e) {
                reply.put("status", "failed");
                reply.set("error", Json.object().put("message", "agent " + name + " output template: "
                        + e.getMessage()).put("retryable", false));
            }
        }
        return reply;
    }

    /** A progress report sent as the work starts, so the ticket shows RUNNING while the delay lasts. */
    public ObjectNode started(JsonNode ticket) {
        return Json.object().put("ticketId", ticket.path("ticketId").asText())
                .put("attempt", ticket.path("attempt").asInt(1)).put("status", "progress").put("percent", 0)
                .put("message", "started");
    }

    /** The output template rendered for this ticket; a placeholder without a value fails the attempt, loudly. */
    private JsonNode output(JsonNode ticket) {
        if (options.output() == null) {
            ObjectNode out = Json.object().put("agent", name).put("stage", ticket.path("stage").asText());
            out.set("input", ticket.path("input"));
            return out;
        }
        return Templates.renderStrictly(options.output(), TicketValues.of(name, ticket));
    }
}
