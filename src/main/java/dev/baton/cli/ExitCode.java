package dev.baton.cli;

/** The exit codes of every {@code baton} command, one table for scripts (README "CLI"; BatonMain's --help lists it). */
public final class ExitCode {
    /** Done; for a command that waits on or shows a run: the run SUCCEEDED (status without --watch: not failed). */
    public static final int OK = 0;
    /** The run FAILED, was CANCELLED or COMPENSATED; or the server failed the request (500) or the command itself. */
    public static final int RUN_FAILED = 1;
    /** Usage error or invalid input: bad options, a pipeline that does not validate, a request refused with 400/409/413. */
    public static final int INVALID = 2;
    /** What was asked for does not exist (404): the run, pipeline or stage. */
    public static final int NOT_FOUND = 3;
    /** The server refused the credentials (401) or the role (403). */
    public static final int AUTH = 4;
    /** The server cannot be reached, or is unavailable (502, 503, 504). */
    public static final int UNREACHABLE = 5;
    /** {@code --wait} or {@code --watch} gave up at {@code --timeout}; the run is still going. */
    public static final int TIMEOUT = 6;

    private ExitCode() {}

    /** The code for a run that was waited for: by its final status; a run still going means the wait timed out. */
    public static int ofRun(String status) {
        return switch (status) {
            case "SUCCEEDED" -> OK;
            case "FAILED", "CANCELLED", "COMPENSATED" -> RUN_FAILED;
            default -> TIMEOUT;
        };
    }

    /** The code an HTTP error status maps to. */
    static int ofHttp(int status) {
        return switch (status) {
            case 401, 403 -> AUTH;
            case 404 -> NOT_FOUND;
            case 502, 503, 504 -> UNREACHABLE;
            default -> status >= 500 ? RUN_FAILED : INVALID;
        };
    }
}
