package dev.baton.runtime;

/** A request about a run that cannot be applied: no such run or stage (404), a bad request (400), not now (409). */
public final class RefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;

    public RefusedException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
