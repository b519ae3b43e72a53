package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.pipeline.Json;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton status RUN [--watch]}: a run's stages, tickets and outputs, or its progress redrawn until it ends. */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = {
            "Show a run: its status and each stage's status, attempts and output.",
            "With --watch, redraw each stage's status, a progress bar of tickets done / total, elapsed time and ETA until the "
                    + "run ends (in place on a terminal, as successive blocks otherwise), then exit by its final status."
        })
public final class StatusCommand implements Callable<Integer> {
    private static final int MAX_OUTPUT = 160;

    @Parameters(paramLabel = "RUN", description = "run id")
    String runId;

    @Option(
            names = {"-w", "--watch"},
            description = "follow the run until it ends; exit 0 only if it SUCCEEDED")
    boolean watch;

    @Option(
            names = "--interval",
            paramLabel = "SECONDS",
            defaultValue = "1",
            description = "seconds between two polls with --watch (default: ${DEFAULT-VALUE})")
    double intervalSeconds;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            defaultValue = "0",
            description = "give up watching after this many seconds, exit 6 (default: 0, never)")
    int timeoutSeconds;

    @Mixin
    ClientOptions client;

    @Mixin
    OutputOption output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (intervalSeconds < 0.05 || intervalSeconds > 3600) {
            throw new ParameterException(
                    spec.commandLine(), "--interval must be from 0.05 to 3600 seconds, not " + intervalSeconds);
        }
        if (timeoutSeconds < 0) {
            throw new ParameterException(
                    spec.commandLine(), "--timeout must be 0 (never) or more seconds, not " + timeoutSeconds);
        }
        BatonClient http = client.client();
        Supplier<JsonNode> fetch = () -> http.get("/api/runs/" + BatonClient.segment(runId));
        PrintWriter out = spec.commandLine().getOut();
        if (!watch) {
            JsonNode run = fetch.get();
            if (output.json()) {
                OutputOption.print(out, run);
            } else {
                print(out, run);
            }
            return RunWatch.ended(run) ? ExitCode.ofRun(run.path("status").asText()) : ExitCode.OK;
        }
        Redraw screen = new Redraw(out, Redraw.terminal(ClientOptions.environment(spec)));
        long deadline = timeoutSeconds == 0 ? Long.MAX_VALUE : System.currentTimeMillis() + timeoutSeconds * 1000L;
        JsonNode last = RunWatch.follow(fetch, Math.round(intervalSeconds * 1000), deadline, run -> {
            if (!output.json()) screen.draw(ProgressView.render(run, Instant.now()));
        });
        if (output.json()) {
            OutputOption.print(out, last);
        }
        return ExitCode.ofRun(last.path("status").asText());
    }

    static void print(PrintWriter out, JsonNode run) {
        out.printf(
                "run %s  pipeline %s  %s%n",
                run.path("id").asText(),
                run.path("pipeline").asText(),
                run.path("status").asText());
        if (run.hasNonNull("error"))
            out.printf("  error: %s%n", run.path("error").asText());
        String spent = SpendLine.of(run);
        if (spent != null) out.println(spent);
        for (JsonNode s : run.path("stages")) {
            String output = s.hasNonNull("output") ? Json.write(s.get("output")) : "";
            if (output.length() > MAX_OUTPUT) output = output.substring(0, MAX_OUTPUT - 3) + "...";
            out.printf(
                    "  %-20s %-16s attempts %-2d %s%s%n",
                    s.path("name").asText(),
                    s.path("status").asText(),
                    s.path("attempts").asInt(),
                    SpendLine.stage(s),
                    note(s, output));
        }
        out.flush();
    }

    /** What the stage's line ends with: its output, why it was skipped, or its error. */
    private static String note(JsonNode stage, String output) {
        if (!stage.hasNonNull("error")) {
            return output;
        }
        String why = stage.path("error").asText();
        return stage.path("status").asText().equals("SKIPPED") ? "(" + why + ")" : "error: " + why;
    }
}
