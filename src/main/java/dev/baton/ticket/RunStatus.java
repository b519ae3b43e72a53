package dev.baton.ticket;

/** The life of a run (README: How a run executes). */
public enum RunStatus {
    RUNNING,
    SUCCEEDED,
    FAILED,
    COMPENSATING,
    COMPENSATED,
    CANCELLED;

    public boolean terminal() {
        return this != RUNNING && this != COMPENSATING;
    }
}
