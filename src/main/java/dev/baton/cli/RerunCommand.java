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

/** {@code baton rerun RUN [--from STAGE] [--wait]}: runs an ended run again from a stage. */
@Command(
        name = "rerun",
        mixinStandardHelpOptions = true,
        description =
                "Rerun a FAILED, CANCELLED or COMPENSATED run "
                        + "from a stage: that stage, what depends on it and what did not succeed run again; other outputs are kept.")
public final class RerunCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN", description = "run id")
    String runId;

    @Option(
            names = "--from",
            paramLabel = "STAGE",
            description = "the stage to run again (default: the ones that did not succeed)")
    String from;

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
        ObjectNode body = Json.object();
        if (from != null) {
            body.put("from", from);
        }
        BatonClient http = client.client();
        JsonNode run = http.post("/api/runs/" + BatonClient.segment(runId) + "/rerun", Json.write(body), null);
        var out = spec.commandLine().getOut();
        if (waiting.await) {
            if (!output.json()) {
                out.println("rerun " + runId + ": running again "
                        + String.join(", ", Json.MAPPER.convertValue(run.path("rerun"), String[].class)));
            }
            return waiting.printWhenEnded(out, http, runId, output);
        }
        if (output.json()) {
            OutputOption.print(out, run);
        } else {
            out.println("rerun " + runId + ": running again "
                    + String.join(", ", Json.MAPPER.convertValue(run.path("rerun"), String[].class)));
            out.flush();
        }
        return ExitCode.OK;
    }
}
