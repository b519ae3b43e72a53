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

/** {@code baton approve RUN STAGE [--reject] [--comment TEXT]}: a decision on an approval stage, made by the caller. */
@Command(
        name = "approve",
        mixinStandardHelpOptions = true,
        description = "Approve (or with --reject, reject) an approval stage of a run.")
public final class ApproveCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN", description = "run id")
    String runId;

    @Parameters(index = "1", paramLabel = "STAGE", description = "the approval stage")
    String stage;

    @Option(names = "--reject", description = "reject instead of approve (the run fails, and compensates)")
    boolean reject;

    @Option(
            names = {"-m", "--comment"},
            description = "why; kept in the run's history")
    String comment;

    /** Gone: who decides is whoever the credentials are, never a name the client picks. */
    @Option(names = "--as", paramLabel = "NAME", hidden = true)
    String approver;

    @Mixin
    ClientOptions client;

    @Mixin
    OutputOption output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (approver != null) {
            throw new ClientException(
                    ExitCode.INVALID,
                    "--as is gone: the decision is made by the identity of your "
                            + "credentials "
                            + "(BATON_API_KEY, or BATON_USER and BATON_PASSWORD)");
        }
        ObjectNode body = Json.object().put("decision", reject ? "reject" : "approve");
        if (comment != null) {
            body.put("comment", comment);
        }
        JsonNode state = client.client()
                .post(
                        "/api/runs/" + BatonClient.segment(runId) + "/approvals/" + BatonClient.segment(stage),
                        Json.write(body),
                        null);
        var out = spec.commandLine().getOut();
        if (output.json()) {
            OutputOption.print(out, state);
            return ExitCode.OK;
        }
        out.printf(
                "%s %s: %s%s%n",
                stage,
                state.path("counted").asBoolean() ? "counted" : "already counted",
                state.path("status").asText(),
                state.hasNonNull("outcome") ? " (" + state.path("outcome").asText() + ")" : "");
        for (JsonNode d : state.path("decisions")) {
            out.printf(
                    "  %-8s %-12s %s%n",
                    d.path("decision").asText(),
                    d.path("approver").asText(),
                    d.hasNonNull("comment") ? d.path("comment").asText() : "");
        }
        out.flush();
        return ExitCode.OK;
    }
}
