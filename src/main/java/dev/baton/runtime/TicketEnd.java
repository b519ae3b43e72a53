package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.ticket.TicketRow;

/**
 * What a stage's {@code ended} route is given: a ticket whose attempt ended for good, with the agent's output or its
 * error (no retry is left, or the failure was not retryable).
 */
record TicketEnd(TicketRow ticket, JsonNode output, String error) {
    boolean failed() {
        return error != null;
    }

    TicketEnd with(TicketRow updated) {
        return new TicketEnd(updated, output, error);
    }
}
