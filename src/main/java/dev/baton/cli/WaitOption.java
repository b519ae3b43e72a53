package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** {@code --wait} and {@code --timeout} of the commands that start a run (submit, rerun). */
public final class WaitOption {
    @Option(names = "--wait", description = "wait for the run to end and print it; exit 0 only if it SUCCEEDED")
    boolean await;

    @Option(
            names = "--timeout",
            defaultValue = "600",
            description = "seconds --wait waits, then exit 6 (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    /** Waits for the run to end, prints it (as text, or as the server's JSON), and answers its {@link ExitCode}. */
    int printWhenEnded(PrintWriter out, BatonClient http, String runId, OutputOption output) {
        JsonNode done = RunWatch.await(
                () -> http.get("/api/runs/" + BatonClient.segment(runId)),
                System.currentTimeMillis() + timeoutSeconds * 1000L);
        if (output.json()) {
            OutputOption.print(out, done);
        } else {
            StatusCommand.print(out, done);
        }
        return ExitCode.ofRun(done.path("status").asText());
    }
}
