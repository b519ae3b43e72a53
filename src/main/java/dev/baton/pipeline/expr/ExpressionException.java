package dev.baton.pipeline.expr;

/** A condition that does not compile or cannot be evaluated; the message is the one-line reason, without file or line. */
public final class ExpressionException extends Exception {
    private static final long serialVersionUID = 1L;

    public ExpressionException(String reason) {
        super(reason);
    }
}
