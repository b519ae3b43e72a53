package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton history RUN}: every transition of a run, oldest first, as the server recorded it. */
@Command(
        name = "history",
        mixinStandardHelpOptions = true,
        description = "Show a run's history: every transition of the run, its stages and tickets, oldest first, with "
                + "time, attempt, agent, actor and detail.")
public final class HistoryCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN", description = "run id")
    String runId;

    @Mixin
    ClientOptions client;

    @Mixin
    OutputOption output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        JsonNode history = SeqPages.all(client.client(), "/api/runs/" + BatonClient.segment(runId) + "/history");
        PrintWriter out = spec.commandLine().getOut();
        if (output.printedJson(out, history)) return ExitCode.OK;
        Table table = Table.of("SEQ", "AT", "STATUS", "STAGE", "TICKET", "ATTEMPT", "AGENT", "ACTOR", "DETAIL");
        for (JsonNode h : history) {
            String at = h.path("at").asText();
            if (h.hasNonNull("repeats"))
                at += " (x" + h.path("repeats").asText() + " to "
                        + h.path("repeatedAt").asText() + ")";
            table.row(
                    h.path("seq").asText(),
                    at,
                    h.path("status").asText(),
                    text(h, "stage"),
                    Table.shortId(text(h, "ticketId")),
                    text(h, "attempt"),
                    text(h, "agent"),
                    text(h, "actor"),
                    text(h, "detail").replace('\n', ' '));
        }
        table.print(out);
        out.flush();
        return ExitCode.OK;
    }

    private static String text(JsonNode n, String field) {
        return Table.cell(n, field);
    }
}
