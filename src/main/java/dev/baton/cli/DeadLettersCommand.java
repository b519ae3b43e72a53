package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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
        client.checkLimit(limit);
        JsonNode page = client.client().get("/api/dead-letters?limit=" + limit);
        PrintWriter out = spec.commandLine().getOut();
        if (output.printedJson(out, page)) return ExitCode.OK;
        JsonNode items = page.path("items");
        if (items.isEmpty()) {
            out.println("no dead letters");
        } else {
            Table table = Table.of("AT", "BY", "FROM", "REASON", "CORRELATION", "BODY");
            for (JsonNode m : items) {
                String body = Table.cell(m, "body").replace('\n', ' ');
                if (body.length() > MAX_BODY) body = body.substring(0, MAX_BODY - 3) + "...";
                table.row(
                        Table.cell(m, "timestamp"),
                        Table.cell(m, "deadLetteredBy"),
                        Table.cell(m, "originalAddress"),
                        Table.cell(m, "reason"),
                        Table.cell(m, "correlationId"),
                        body);
            }
            table.print(out);
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
