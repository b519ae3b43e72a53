package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** {@code --wait} and {@code --timeout} of the commands that start a run (submit, rerun). */
public final class WaitOption {
    @Option(names = "--wait", description = "wait for the run to end and print it; exit 1 unless it SUCCEEDED")
    boolean await;

    @Option(names = "--timeout", defaultValue = "600", description = "seconds --wait waits (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    /** Waits for the run to end, prints it, and answers the exit code: 0 when it SUCCEEDED, else 1. */
    int printWhenEnded(PrintWriter out, BatonClient http, String runId) {
        JsonNode done = RunWatch.await(() -> http.get("/api/runs/" + runId),
                System.currentTimeMillis() + timeoutSeconds * 1000L);
        StatusCommand.print(out, done);
        return "SUCCEEDED".equals(done.path("status").asText()) ? 0 : 1;
    }
}
