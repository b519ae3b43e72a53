package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton submit NAME -p k=v}: starts a run over REST, optionally waiting for its end. */
@Command(name = "submit", mixinStandardHelpOptions = true, description = "Start a run of a pipeline.")
public final class SubmitCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PIPELINE", description = "pipeline name")
    String pipeline;

    @Option(names = {"-p", "--param"}, paramLabel = "KEY=VALUE",
            description = "a param; VALUE is read as JSON when it parses (42, true, [1,2], {\"a\":1}), else as text")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--idempotency-key", description = "the same key always yields the same run")
    String idempotencyKey;

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
        params.forEach((k, v) -> body.set(k, value(v)));
        BatonClient http = client.client();
        JsonNode run = http.post("/api/pipelines/" + BatonClient.segment(pipeline) + "/runs", Json.write(body),
                idempotencyKey);
        String id = run.path("id").asText();
        var out = spec.commandLine().getOut();
        if (!waiting.await) {
            if (output.json()) {
                OutputOption.print(out, run);
            } else {
                out.println(id + " " + run.path("status").asText());
                out.flush();
            }
            return ExitCode.OK;
        }
        return waiting.printWhenEnded(out, http, id, output);
    }

    static JsonNode value(String text) {
        try {
            return Json.parse(text);
        } catch (IllegalArgumentException e) {
            return Json.MAPPER.getNodeFactory().textNode(text);
        }
    }
}
