package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code baton agents}: every agent with its health, instances, tickets in flight and queue, from the server. */
@Command(
        name = "agents",
        mixinStandardHelpOptions = true,
        description = "List agents: kind, role, capabilities, health, last heartbeat, instances, tickets in flight, "
                + "queue depth and consumers.")
public final class AgentsCommand implements Callable<Integer> {
    static final List<String> COLUMNS = List.of(
            "NAME",
            "KIND",
            "ROLE",
            "CAPABILITIES",
            "HEALTH",
            "LAST HEARTBEAT",
            "INSTANCES",
            "IN FLIGHT",
            "QUEUED",
            "DEPTH",
            "CONSUMERS");

    @Mixin
    ClientOptions client;

    @Mixin
    OutputOption output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        JsonNode agents = client.client().get("/api/agents");
        if (output.printedJson(out, agents)) return ExitCode.OK;
        Table table = Table.of(COLUMNS);
        for (JsonNode a : agents) {
            List<String> caps = new ArrayList<>();
            a.path("capabilities").forEach(c -> caps.add(c.asText()));
            long up = 0;
            for (JsonNode i : a.path("instances")) {
                if (i.path("health").asText().equals("UP")) up++;
            }
            table.row(
                    a.path("name").asText(),
                    text(a, "kind"),
                    text(a, "role"),
                    caps.isEmpty() ? "-" : String.join(",", caps),
                    a.path("health").asText(),
                    text(a, "lastHeartbeat"),
                    up + "/" + a.path("instances").size(),
                    text(a, "inFlight"),
                    text(a, "queued"),
                    text(a, "queueDepth"),
                    text(a, "consumers"));
        }
        table.print(out);
        out.flush();
        return ExitCode.OK;
    }

    private static String text(JsonNode n, String field) {
        return Table.cell(n, field);
    }
}
