package dev.baton.compile;

/**
 * A {@code condition} or {@code until} expression could not be evaluated over a run (a missing field, a type error):
 * the compiled route catches it and fails the stage with the reason, where any other failure rolls the event back.
 */
public final class ExpressionFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ExpressionFailedException(String message) {
        super(message, null, false, false);
    }
}
