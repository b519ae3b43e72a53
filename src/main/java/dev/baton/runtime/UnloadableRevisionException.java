package dev.baton.runtime;

import dev.baton.ticket.Rows.Outgoing;
import java.util.List;

/** A run's pinned revision no longer loads or compiles: the run was failed, and these are the messages to send. */
final class UnloadableRevisionException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient List<Outgoing> outgoing;

    UnloadableRevisionException(String message, List<Outgoing> outgoing) {
        super(message, null, false, false);
        this.outgoing = outgoing;
    }

    List<Outgoing> outgoing() {
        return outgoing;
    }
}
