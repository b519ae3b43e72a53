package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Json;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton cancel RUN [--reason TEXT]}: cancels a running run. */
@Command(
        name = "cancel",
        mixinStandardHelpOptions = true,
        description = "Cancel a RUNNING run: tickets in flight are cancelled, completed stages are compensated.")
public final class CancelCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN", description = "run id")
    String runId;

    @Option(
            names = {"-r", "--reason"},
            description = "why; the run's error says 'cancelled: <reason>'")
    String reason;

    @Mixin
    ClientOptions client;

    @Mixin
    OutputOption output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ObjectNode body = Json.object();
        if (reason != null) {
            body.put("reason", reason);
        }
        JsonNode run =
                client.client().post("/api/runs/" + BatonClient.segment(runId) + "/cancel", Json.write(body), null);
        if (output.json()) {
            OutputOption.print(spec.commandLine().getOut(), run);
        } else {
            StatusCommand.print(spec.commandLine().getOut(), run);
        }
        return ExitCode.OK;
    }
}
