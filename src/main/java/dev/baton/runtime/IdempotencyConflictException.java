package dev.baton.runtime;

/** An Idempotency-Key reused for a different pipeline or different params. */
public class IdempotencyConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String runId;

    public IdempotencyConflictException(String runId) {
        super("Idempotency-Key was already used for run " + runId + " with another pipeline or other params");
        this.runId = runId;
    }

    public String runId() {
        return runId;
    }
}
