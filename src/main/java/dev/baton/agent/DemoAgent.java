package dev.baton.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.agent.protocol.Reply;
import dev.baton.agent.protocol.Ticket;
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
    public Reply reply(Ticket ticket) {
        int attempt = ticket.attempt();
        if (options.fail()) {
            return Reply.failed(ticket, "agent " + name + " always fails", false);
        }
        if (attempt <= options.failFirstAttempts()) {
            return Reply.failed(
                    ticket,
                    "agent " + name + " fails attempt " + attempt + " of its first " + options.failFirstAttempts(),
                    true);
        }
        try {
            return Reply.succeeded(ticket, output(ticket));
        } catch (IllegalArgumentException e) {
            return Reply.failed(ticket, "agent " + name + " output template: " + e.getMessage(), false);
        }
    }

    /** A progress report sent as the work starts, so the ticket shows RUNNING while the delay lasts. */
    public Reply started(Ticket ticket) {
        return Reply.progress(ticket, 0, "started");
    }

    /** The output template rendered for this ticket; a placeholder without a value fails the attempt, loudly. */
    private JsonNode output(Ticket ticket) {
        if (options.output() == null) {
            ObjectNode out = Json.object().put("agent", name).put("stage", ticket.stage());
            out.set("input", ticket.input());
            return out;
        }
        return Templates.renderStrictly(options.output(), TicketValues.of(name, ticket));
    }
}
