package dev.baton.runtime;

/** A JMS submission that already started a run was delivered again: nothing more is to be done for it. */
public final class AlreadySubmittedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AlreadySubmittedException(String messageId) {
        super("submission " + messageId + " already started a run", null, false, false);
    }
}
