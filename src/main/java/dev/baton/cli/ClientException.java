package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;

/** A client command that failed, with the exit code it maps to (see {@link ExitCode}) and the server's problem, if any. */
public final class ClientException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;
    private final transient JsonNode problem;

    public ClientException(int exitCode, String message) {
        this(exitCode, message, null);
    }

    public ClientException(int exitCode, String message, JsonNode problem) {
        super(message);
        this.exitCode = exitCode;
        this.problem = problem;
    }

    public int exitCode() {
        return exitCode;
    }

    /** The server's {@code application/problem+json} answer, unchanged, or null when the request got none. */
    public JsonNode problem() {
        return problem;
    }
}
