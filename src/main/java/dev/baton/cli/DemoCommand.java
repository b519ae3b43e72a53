package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.BatonServer;
import dev.baton.api.RunService;
import dev.baton.config.BatonSettings;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.ParamSpec;
import dev.baton.pipeline.Pipeline;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code baton demo}: starts the embedded stack, runs every pipeline in routes/ once and prints the results. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Run every example pipeline in routes/ on the embedded stack and print each result.")
public final class DemoCommand implements Callable<Integer> {
    @Mixin
    ServerOptions options;

    @Option(
            names = "--timeout",
            defaultValue = "120",
            description = "seconds to wait for the runs (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Option(
            names = "--stay",
            description = "keep serving after the runs, for the web console at http://127.0.0.1:<port>/ "
                    + "(open: no sign-in), until Ctrl-C")
    boolean stay;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (options.data == null) {
            options.data = Path.of("data", "demo");
            // a demo starts from nothing, every time (after stopping a server an earlier demo killed left running)
            dev.baton.ticket.EmbeddedPostgres.stopLeftOver(options.data.resolve("postgres"));
            deleteTree(options.data);
        }
        if (options.port == null) options.port = freePort();
        if (options.brokerPort == null) options.brokerPort = freePort();
        try (BatonServer server =
                BatonServer.start(BatonSettings.load(options.overrides()).withOpenApi())) {
            List<Pipeline> pipelines = List.copyOf(server.pipelines().all());
            if (pipelines.isEmpty()) {
                out.println("no pipeline loaded from " + server.settings().routesDir());
                return 1;
            }
            out.printf("Baton demo: REST API on http://127.0.0.1:%d/api, data in %s%n%n", options.port, options.data);
            List<String> ids = new ArrayList<>();
            for (Pipeline p : pipelines) {
                ObjectNode params = demoParams(p);
                ids.add(server.runs()
                        .start(p.name(), Json.write(params), null)
                        .run()
                        .path("id")
                        .asText());
                out.printf("started %-28s params %s%n", p.name(), Json.write(params));
            }
            out.println();
            long deadline = System.currentTimeMillis() + timeoutSeconds * 1000L;
            int failed = 0;
            for (String id : ids) {
                JsonNode run = RunWatch.await(
                        () -> approveWaiting(server.runs(), server.runs().get(id)), deadline);
                StatusCommand.print(out, run);
                out.println();
                if (!"SUCCEEDED".equals(run.path("status").asText())) failed++;
            }
            out.printf("%d of %d runs SUCCEEDED%n", ids.size() - failed, ids.size());
            out.flush();
            if (stay) {
                out.printf("%nWeb console (open, no sign-in): http://127.0.0.1:%d/ - Ctrl-C stops%n", options.port);
                out.flush();
                // Ctrl-C: the hook closes Baton and the JVM ends; this thread never returns.
                Runtime.getRuntime().addShutdownHook(new Thread(server::close, "baton-demo-shutdown"));
                new java.util.concurrent.CountDownLatch(1).await();
            }
            return failed == 0 ? 0 : 1;
        }
    }

    /** Params for a demo run: defaults, and a placeholder for each required param. */
    public static ObjectNode demoParams(Pipeline p) {
        ObjectNode params = Json.object();
        for (ParamSpec ps : p.params().values()) {
            if (ps.required()) params.put(ps.name(), "demo " + ps.name());
        }
        return params;
    }

    /**
     * Plays the approver in the demo: every stage of the run that waits for approval is approved by its first
     * listed approver (or "demo"). Returns the run as it was read.
     */
    public static JsonNode approveWaiting(RunService runs, JsonNode run) {
        for (JsonNode stage : run.path("stages")) {
            if (stage.path("status").asText().equals("WAITING_APPROVAL")) {
                String name = stage.path("name").asText();
                String approver = runs.approvers(run.path("id").asText(), name).stream()
                        .findFirst()
                        .orElse("demo");
                ObjectNode decision = Json.object()
                        .put("decision", "approve")
                        .put("approver", approver)
                        .put("comment", "approved by baton demo");
                runs.control()
                        .decide(
                                run.path("id").asText(),
                                name,
                                Json.write(decision),
                                new dev.baton.api.auth.Identity(approver, dev.baton.api.auth.Role.APPROVER, "demo"));
            }
        }
        return run;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
