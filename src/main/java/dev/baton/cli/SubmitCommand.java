package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.pipeline.Json;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton submit NAME|FILE -p k=v}: starts a run over REST, optionally waiting for its end. */
@Command(
        name = "submit",
        mixinStandardHelpOptions = true,
        description = {
            "Start a run of a pipeline, named or given as its file, and print the run id and status at once.",
            "A FILE (a path ending in .yaml or .yml, or with a /) is validated by the server, then run only when it is the "
                    + "revision the server has loaded from its routes/ folder (a file just saved there is waited for, "
                    + "--reload-timeout): the run is always of exactly the file named."
        })
public final class SubmitCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PIPELINE", description = "pipeline name, or the path of its file")
    String pipeline;

    @Mixin
    ParamsOption params;

    @Option(names = "--idempotency-key", description = "the same key always yields the same run")
    String idempotencyKey;

    @Option(
            names = "--reload-timeout",
            paramLabel = "SECONDS",
            defaultValue = "10",
            description =
                    "for a FILE: seconds to wait for the server to load this revision of it (default: ${DEFAULT-VALUE})")
    int reloadTimeoutSeconds;

    @Mixin
    WaitOption waiting;

    @Mixin
    ClientOptions client;

    @Mixin
    OutputOption output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (reloadTimeoutSeconds < 0) {
            throw new ParameterException(
                    spec.commandLine(), "--reload-timeout must be 0 or more seconds, not " + reloadTimeoutSeconds);
        }
        String body = Json.write(params.toJson()); // a bad --values file fails before anything is sent
        BatonClient http = client.client();
        PrintWriter err = spec.commandLine().getErr();
        String name = pipeline;
        PipelineFile file = null;
        if (PipelineFile.isPath(pipeline)) {
            file = PipelineFile.read(pipeline);
            name = file.checkedOn(http, reloadTimeoutSeconds * 1000L);
        }
        JsonNode run = http.post("/api/pipelines/" + BatonClient.segment(name) + "/runs", body, idempotencyKey);
        String id = run.path("id").asText();
        if (file != null && !file.revision().equals(run.path("revision").asText(file.revision()))) {
            err.println("baton: warning: the server reloaded " + name + " meanwhile; run " + id + " is of revision "
                    + PipelineFile.shortRevision(run.path("revision").asText()) + ", not of " + file.path());
            err.flush();
        }
        PrintWriter out = spec.commandLine().getOut();
        if (!waiting.await) {
            if (output.json()) {
                OutputOption.print(out, run);
            } else {
                out.println(id + " " + run.path("status").asText());
                out.flush();
            }
            return ExitCode.OK;
        }
        // The id first, so that a user who stops waiting (Ctrl-C) still knows which run goes on.
        if (output.json()) {
            err.println("baton: started run " + id); // stdout stays one JSON document
            err.flush();
        } else {
            out.println(id + " " + run.path("status").asText());
            out.flush();
        }
        return waiting.printWhenEnded(out, http, id, output);
    }
}
