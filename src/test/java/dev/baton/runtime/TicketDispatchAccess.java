package dev.baton.runtime;

import dev.baton.agent.protocol.Ticket;

/** How a ticket's outbox row keeps it, for tests outside this package. */
public final class TicketDispatchAccess {
    private TicketDispatchAccess() {}

    public static String stored(Ticket msg, String body) {
        return TicketDispatch.stored(msg, body);
    }
}
