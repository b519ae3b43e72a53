package dev.baton.runtime;

/** A decision that cannot be applied at all: no such run or stage (404), not an approval (400), not yet (409). */
public final class DecisionException extends RuntimeException {
    private final int status;

    public DecisionException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
