package dev.baton.runtime;

/** A message that can never be applied (malformed, or about an unknown ticket); it ends on the dead-letter queue. */
public class PoisonMessageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PoisonMessageException(String message) {
        super(message);
    }
}
