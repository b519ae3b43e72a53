package dev.baton.ticket;

/** The life of a ticket (README: How a run executes); a stage shares these names. */
public enum TicketStatus {
    PENDING,
    WAITING_DEPS,
    WAITING_APPROVAL,
    QUEUED,
    RUNNING,
    SUCCEEDED,
    FAILED,
    SKIPPED,
    CANCELLED,
    /** Not a state: a history entry for a message that was refused (stale attempt, late, duplicate). */
    REFUSED,
    /** Not a state: a history entry for a tool call the agent made during the attempt (an llm agent's tools). */
    TOOL_CALL;

    public boolean terminal() {
        return this == SUCCEEDED || this == FAILED || this == SKIPPED || this == CANCELLED;
    }

    public boolean active() {
        return this == QUEUED || this == RUNNING;
    }
}
