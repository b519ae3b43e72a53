package dev.baton.cli;

/** A client command that failed, with the exit code it maps to (see {@code baton --help}). */
public final class ClientException extends RuntimeException {
    private final int exitCode;

    public ClientException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
