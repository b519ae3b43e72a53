package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.pipeline.Json;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code baton purge --before DATE}: deletes the runs that finished before a date, once. */
@Command(
        name = "purge",
        mixinStandardHelpOptions = true,
        description = "Delete every run that finished (SUCCEEDED, FAILED, COMPENSATED, CANCELLED) before a date, "
                + "with its tickets, history and webhook deliveries. Runs in progress are never deleted.")
public final class PurgeCommand implements Callable<Integer> {
    @Option(
            names = "--before",
            required = true,
            paramLabel = "DATE",
            description = "a date (2026-11-01, midnight UTC) or an instant with its offset (2026-11-01T12:00:00Z)")
    String before;

    @Mixin
    ClientOptions client;

    @Mixin
    OutputOption output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        JsonNode purged =
                client.client().post("/api/runs/purge", Json.write(Json.object().put("before", before)), null);
        if (output.json()) {
            OutputOption.print(spec.commandLine().getOut(), purged);
        } else {
            spec.commandLine()
                    .getOut()
                    .println("deleted " + purged.path("deleted").asInt() + " finished run(s) that ended " + "before "
                            + purged.path("before").asText());
        }
        return ExitCode.OK;
    }
}
