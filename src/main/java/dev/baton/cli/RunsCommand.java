package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code baton runs [--pipeline P] [--status S] [--limit N] [--cursor C]}: one page of runs, newest first. */
@Command(
        name = "runs",
        mixinStandardHelpOptions = true,
        description = {
            "List runs, newest first, one page at a time: id, pipeline, status, start time and duration.",
            "When there are more, the last line gives the --cursor of the next page (with --output json: the next field)."
        })
public final class RunsCommand implements Callable<Integer> {
    @Option(
            names = {"-p", "--pipeline"},
            paramLabel = "NAME",
            description = "only runs of this pipeline")
    String pipeline;

    @Option(
            names = {"-s", "--status"},
            paramLabel = "STATUS",
            description = "only runs in this status: RUNNING, SUCCEEDED, FAILED, COMPENSATING, COMPENSATED, CANCELLED")
    String status;

    @Option(
            names = {"-n", "--limit"},
            paramLabel = "N",
            defaultValue = "20",
            description = "runs per page, 1 to 1000 (default: ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--cursor", paramLabel = "CURSOR", description = "the page to show, as the previous page gave it")
    String cursor;

    @Mixin
    ClientOptions client;

    @Mixin
    OutputOption output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        client.checkLimit(limit);
        Map<String, Object> query = new LinkedHashMap<>();
        query.put("pipeline", pipeline);
        query.put("status", status == null ? null : status.toUpperCase(Locale.ROOT));
        query.put("limit", limit);
        query.put("cursor", cursor);
        JsonNode page = client.client().get("/api/runs" + BatonClient.query(query));
        PrintWriter out = spec.commandLine().getOut();
        if (output.printedJson(out, page)) return ExitCode.OK;
        JsonNode items = page.path("items");
        if (items.isEmpty()) {
            out.println("no runs" + (cursor == null ? "" : " on this page"));
        } else {
            Table table =
                    Table.of("RUN", "PIPELINE", "STATUS", "STARTED", "DURATION").minWidths(36, 20, 12, 20);
            for (JsonNode r : items) {
                var took = StageProgress.between(r.path("createdAt"), r.path("finishedAt"), Instant.now());
                table.row(
                        r.path("id").asText(),
                        r.path("pipeline").asText(),
                        r.path("status").asText(),
                        started(r.path("createdAt")),
                        ProgressView.format(took));
            }
            table.print(out);
        }
        if (page.hasNonNull("next")) {
            out.println("more: baton runs" + again() + " --cursor "
                    + page.path("next").asText());
        }
        out.flush();
        return ExitCode.OK;
    }

    /** The options of this call, for the command line of the next page. */
    private String again() {
        StringBuilder line = new StringBuilder();
        if (pipeline != null) line.append(" --pipeline ").append(pipeline);
        if (status != null) line.append(" --status ").append(status.toUpperCase(Locale.ROOT));
        line.append(" --limit ").append(limit);
        if (client.server != null) line.append(" --server ").append(client.server);
        return line.toString();
    }

    private static String started(JsonNode at) {
        return at.isTextual()
                ? at.asText().substring(0, Math.min(19, at.asText().length())).replace('T', ' ')
                : "";
    }
}
