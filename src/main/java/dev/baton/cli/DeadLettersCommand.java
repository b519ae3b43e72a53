package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code baton dead-letters}: the messages on the dead-letter queue, browsed (never consumed) by the server. */
@Command(
        name = "dead-letters",
        mixinStandardHelpOptions = true,
        description = "List the messages on the dead-letter queue, oldest first, without consuming them: when, why, "
                + "where they were going, their correlation id and the start of their body.")
public final class DeadLettersCommand implements Callable<Integer> {
    private static final int MAX_BODY = 60;

    @Option(
            names = {"-n", "--limit"},
            paramLabel = "N",
            defaultValue = "100",
            description = "messages to show, 1 to 1000 (default: ${DEFAULT-VALUE})")
    int limit;

    @Mixin
    ClientOptions client;

    @Mixin
    OutputOption output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (limit < 1 || limit > 1000) {
            throw new ParameterException(spec.commandLine(), "--limit must be from 1 to 1000, not " + limit);
        }
        JsonNode page = client.client().get("/api/dead-letters?limit=" + limit);
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            OutputOption.print(out, page);
            return ExitCode.OK;
        }
        JsonNode items = page.path("items");
        if (items.isEmpty()) {
            out.println("no dead letters");
        } else {
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("AT", "BY", "FROM", "REASON", "CORRELATION", "BODY"));
            for (JsonNode m : items) {
                String body = HistoryCommand.text(m, "body").replace('\n', ' ');
                if (body.length() > MAX_BODY) body = body.substring(0, MAX_BODY - 3) + "...";
                rows.add(List.of(
                        HistoryCommand.text(m, "timestamp"),
                        HistoryCommand.text(m, "deadLetteredBy"),
                        HistoryCommand.text(m, "originalAddress"),
                        HistoryCommand.text(m, "reason"),
                        HistoryCommand.text(m, "correlationId"),
                        body));
            }
            Table.print(out, rows);
        }
        if (page.has("depth") && !items.isEmpty()) {
            out.printf(
                    "%d shown of %d on the queue%n",
                    items.size(), page.path("depth").asLong());
        }
        out.flush();
        return ExitCode.OK;
    }
}
