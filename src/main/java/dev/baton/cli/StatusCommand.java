package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.pipeline.Json;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton status RUN}: a run's stages, tickets and outputs. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show a run: its status and each stage's status, attempts and output.")
public final class StatusCommand implements Callable<Integer> {
    private static final int MAX_OUTPUT = 160;

    @Parameters(paramLabel = "RUN", description = "run id")
    String runId;

    @Mixin
    ClientOptions client;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        JsonNode run = client.client().get("/api/runs/" + runId);
        print(spec.commandLine().getOut(), run);
        return "FAILED".equals(run.path("status").asText()) ? 1 : 0;
    }

    static void print(PrintWriter out, JsonNode run) {
        out.printf("run %s  pipeline %s  %s%n", run.path("id").asText(), run.path("pipeline").asText(),
                run.path("status").asText());
        if (run.hasNonNull("error")) out.printf("  error: %s%n", run.path("error").asText());
        for (JsonNode s : run.path("stages")) {
            String output = s.hasNonNull("output") ? Json.write(s.get("output")) : "";
            if (output.length() > MAX_OUTPUT) output = output.substring(0, MAX_OUTPUT - 3) + "...";
            out.printf("  %-20s %-16s attempts %-2d %s%n", s.path("name").asText(), s.path("status").asText(),
                    s.path("attempts").asInt(), note(s, output));
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
