package dev.baton.ticket;

/** The life of a run (DESIGN §4). */
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
