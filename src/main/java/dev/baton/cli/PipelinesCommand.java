package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton pipelines [show NAME]}: the pipelines the server has loaded, or one with its revisions and schedule. */
@Command(
        name = "pipelines",
        mixinStandardHelpOptions = true,
        subcommands = PipelinesCommand.Show.class,
        description = {
            "List the pipelines the server has loaded: name, stages, params, schedule, revision, file; "
                    + "then the files of routes/ that did not load, with their errors.",
            "'pipelines show NAME' shows one: params, stages by wave, schedule, and every revision ever loaded."
        })
public final class PipelinesCommand implements Callable<Integer> {
    private static final int MAX_DEFAULT = 24;

    @Mixin
    ClientOptions client;

    @Mixin
    OutputOption output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        JsonNode all = client.client().get("/api/pipelines");
        PrintWriter out = spec.commandLine().getOut();
        if (output.printedJson(out, all)) return ExitCode.OK;
        Table table = Table.of("NAME", "STAGES", "PARAMS", "SCHEDULE", "REVISION", "FILE");
        for (JsonNode p : all.path("pipelines")) {
            table.row(
                    p.path("name").asText(),
                    String.valueOf(p.path("stages").size()),
                    params(p.path("params")),
                    p.path("schedule").isObject()
                            ? p.path("schedule").path("cron").asText()
                            : "-",
                    PipelineFile.shortRevision(p.path("revision").asText()),
                    p.path("file").asText());
        }
        if (table.isEmpty()) {
            out.println("no pipelines loaded");
        } else {
            table.print(out);
        }
        for (JsonNode bad : all.path("invalid")) {
            out.println("not loaded: " + bad.path("file").asText());
            bad.path("errors").forEach(e -> out.println("  " + e.asText()));
        }
        out.flush();
        return ExitCode.OK;
    }

    /** {@code topic*, tone=neutral}: required params starred, defaults after '='. */
    static String params(JsonNode params) {
        List<String> parts = new ArrayList<>();
        params.properties().forEach(e -> {
            JsonNode spec = e.getValue();
            String part = e.getKey();
            if (spec.path("required").asBoolean()) {
                part += "*";
            } else if (spec.hasNonNull("default")) {
                String value = spec.get("default").isTextual()
                        ? spec.get("default").asText()
                        : Json.write(spec.get("default"));
                part += "=" + (value.length() > MAX_DEFAULT ? value.substring(0, MAX_DEFAULT - 3) + "..." : value);
            }
            parts.add(part);
        });
        return parts.isEmpty() ? "-" : String.join(", ", parts);
    }

    /** {@code baton pipelines show NAME}. */
    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = "Show a loaded pipeline: params, stages by wave, schedule with its next time, and every "
                    + "revision ever loaded (* marks the one new runs get). With --output json: the server's pipeline "
                    + "document with a 'revisions' field added.")
    static final class Show implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "pipeline name")
        String name;

        @Mixin
        ClientOptions client;

        @Mixin
        OutputOption output;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            BatonClient http = client.client();
            ObjectNode p = (ObjectNode) http.get("/api/pipelines/" + BatonClient.segment(name));
            JsonNode revisions = http.get("/api/pipelines/" + BatonClient.segment(name) + "/revisions");
            PrintWriter out = spec.commandLine().getOut();
            if (output.json()) {
                p.set("revisions", revisions);
                OutputOption.print(out, p);
                return ExitCode.OK;
            }
            out.printf(
                    "pipeline %s  revision %s  file %s%n",
                    p.path("name").asText(),
                    PipelineFile.shortRevision(p.path("revision").asText()),
                    p.path("file").asText());
            if (p.hasNonNull("description"))
                out.println("  " + p.path("description").asText());
            out.println(
                    "params: " + params(p.path("params")) + (p.path("params").isEmpty() ? "" : "  (* required)"));
            JsonNode waves = p.path("waves");
            for (int i = 0; i < waves.size(); i++) {
                out.printf("wave %d:%n", i + 1);
                for (JsonNode stageName : waves.get(i)) {
                    out.println("  " + stage(p, stageName.asText()));
                }
            }
            JsonNode s = p.path("schedule");
            if (s.isObject()) {
                out.printf(
                        "schedule: \"%s\" in %s, params %s, missed ticks: %s, next %s%n",
                        s.path("cron").asText(),
                        s.path("timezone").asText(),
                        Json.write(s.path("params")),
                        s.path("missed").asText(),
                        s.hasNonNull("nextFireTime") ? s.path("nextFireTime").asText() : "never");
            } else {
                out.println("schedule: none");
            }
            out.println("revisions (newest first):");
            for (JsonNode r : revisions) {
                out.printf(
                        "  %s %s  loaded %s  from %s%n",
                        r.path("current").asBoolean() ? "*" : " ",
                        PipelineFile.shortRevision(r.path("revision").asText()),
                        r.path("loadedAt").asText(),
                        r.path("file").asText());
            }
            out.flush();
            return ExitCode.OK;
        }

        private static String stage(JsonNode pipeline, String name) {
            for (JsonNode s : pipeline.path("stages")) {
                if (s.path("name").asText().equals(name)) {
                    List<String> agents = new ArrayList<>();
                    s.path("agents").forEach(a -> agents.add(a.asText()));
                    List<String> deps = new ArrayList<>();
                    s.path("dependsOn").forEach(d -> deps.add(d.asText()));
                    return String.format(
                            "%-24s %-9s %s%s",
                            name,
                            s.path("kind").asText(),
                            agents.isEmpty() ? "-" : String.join(", ", agents),
                            deps.isEmpty() ? "" : "  after " + String.join(", ", deps));
                }
            }
            return name;
        }
    }
}
