package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.pipeline.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code baton events RUN [--follow]}: a run's events (the shape published on {@code baton.events}); with
 * {@code --follow}, then each new one as the server streams it, until the run ends.
 */
@Command(
        name = "events",
        mixinStandardHelpOptions = true,
        description = {
            "Show a run's events, oldest first: time, number, type (run, stage, ticket), status, stage, agent and detail.",
            "With --follow, keep printing each new event as it happens (the server's event stream) until the run ends, then "
                    + "exit by its final status; Ctrl-C stops following and leaves the run alone. With --output json, one "
                    + "event per line."
        })
public final class EventsCommand implements Callable<Integer> {
    private static final long POLL_MILLIS = 1_000;

    @Parameters(paramLabel = "RUN", description = "run id")
    String runId;

    @Option(
            names = {"-f", "--follow"},
            description = "print new events until the run ends; exit 0 only if it SUCCEEDED")
    boolean follow;

    @Mixin
    ClientOptions client;

    @Mixin
    OutputOption output;

    @Spec
    CommandSpec spec;

    private final Set<Integer> printed = new HashSet<>();
    private String ended;

    @Override
    public Integer call() {
        BatonClient http = client.client();
        String path = "/api/runs/" + BatonClient.segment(runId) + "/events";
        PrintWriter out = spec.commandLine().getOut();
        if (!follow) {
            JsonNode events = SeqPages.all(http, path);
            if (output.json()) {
                OutputOption.print(out, events);
            } else {
                events.forEach(e -> print(out, e));
                out.flush();
            }
            return ExitCode.OK;
        }
        http.get(path + "?limit=1"); // a run that does not exist is a 404 (exit 3), not a stream that never ends
        String stream = "/api/events/stream?run=" + BatonClient.segment(runId);
        while (ended == null) {
            List<JsonNode> early = new ArrayList<>();
            boolean[] open = {false};
            try {
                // Subscribe first, then read what happened before: an event is in the list, on the stream, or both.
                http.stream(
                        stream,
                        () -> {
                            open[0] = true;
                            catchUp(out, SeqPages.all(http, path), early);
                            early.clear();
                            return ended == null;
                        },
                        data -> {
                            JsonNode event = Json.parse(data);
                            if (!open[0]) {
                                early.add(event); // printed in order once the history before it is
                                return true;
                            }
                            show(out, event);
                            if (ended != null) {
                                catchUp(
                                        out,
                                        SeqPages.all(http, path),
                                        List.of()); // events that overtook the run's end on the way
                            }
                            return ended == null;
                        });
            } catch (ClientException e) {
                if (e.problem() == null || e.exitCode() == ExitCode.AUTH || e.exitCode() == ExitCode.NOT_FOUND) {
                    throw e;
                }
                poll(out, http, path); // no stream to be had (busy, or a server without one): read the list again
            }
        }
        return ExitCode.ofRun(ended);
    }

    private void poll(PrintWriter out, BatonClient http, String path) {
        while (ended == null) {
            catchUp(out, SeqPages.all(http, path), List.of());
            if (ended == null) LockSupport.parkNanos(POLL_MILLIS * 1_000_000L);
        }
    }

    private void catchUp(PrintWriter out, JsonNode events, List<JsonNode> early) {
        List<JsonNode> all = new ArrayList<>();
        events.forEach(all::add);
        all.addAll(early);
        all.sort(Comparator.comparingInt(e -> e.path("seq").asInt()));
        all.forEach(e -> show(out, e));
    }

    /** Prints an event not printed before, and notes the run's end. */
    private void show(PrintWriter out, JsonNode event) {
        if (!printed.add(event.path("seq").asInt())) {
            return;
        }
        if (output.json()) {
            out.println(Json.write(event));
        } else {
            print(out, event);
        }
        out.flush();
        if (event.path("type").asText().equals("run")
                && RunWatch.TERMINAL.contains(event.path("status").asText())) {
            ended = event.path("status").asText();
        }
    }

    static void print(PrintWriter out, JsonNode e) {
        StringBuilder where = new StringBuilder();
        append(where, "stage", e.path("stage"));
        append(
                where,
                "ticket",
                e.hasNonNull("ticketId")
                        ? Json.MAPPER
                                .getNodeFactory()
                                .textNode(Table.shortId(e.path("ticketId").asText()))
                        : e.path("ticketId"));
        append(where, "attempt", e.path("attempt"));
        append(where, "agent", e.path("agent"));
        append(where, "by", e.path("actor"));
        String detail =
                e.hasNonNull("detail") ? "  " + e.path("detail").asText().replace('\n', ' ') : "";
        out.printf(
                "%s %5d %-6s %-16s%s%s%n",
                e.path("at").asText(),
                e.path("seq").asInt(),
                e.path("type").asText(),
                e.path("status").asText(),
                where,
                detail);
    }

    private static void append(StringBuilder line, String name, JsonNode value) {
        if (value != null && !value.isNull() && !value.isMissingNode()) {
            line.append(' ').append(name).append('=').append(value.asText());
        }
    }
}
