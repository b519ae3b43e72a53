package dev.baton.cli;

import dev.baton.agent.AgentRegistry;
import dev.baton.pipeline.load.LoadResult;
import dev.baton.pipeline.load.PipelineLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton init NAME}: writes a commented starter pipeline, with demo agents so that it runs at once. */
@Command(
        name = "init",
        mixinStandardHelpOptions = true,
        description = "Write a commented starter pipeline to routes/NAME.yaml that declares its own agents (demo "
                + "agents, so that it runs before any real agent exists); never overwrites a file.")
public final class InitCommand implements Callable<Integer> {
    private static final Pattern NAME = Pattern.compile("[a-z0-9-]{1,63}");

    @Parameters(paramLabel = "NAME", description = "pipeline name: lower-case letters, digits and '-', at most 63")
    String name;

    @Option(
            names = "--routes",
            defaultValue = "routes",
            description = "folder to write NAME.yaml in (default: ${DEFAULT-VALUE})")
    Path routes;

    @Option(
            names = "--config",
            defaultValue = "config",
            description = "config folder whose agents.yaml the new file is checked against (default: ${DEFAULT-VALUE})")
    Path config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!NAME.matcher(name).matches()) {
            err.println("baton: pipeline name '" + name + "' must be 1 to 63 lower-case letters, digits and '-'");
            err.flush();
            return ExitCode.INVALID;
        }
        Path file = routes.resolve(name + ".yaml");
        String text = starter(name, file);
        // Checked before it is written: a name that config/agents.yaml gives another meaning must not leave a broken
        // file.
        LoadResult check =
                PipelineLoader.read(text, file.toString(), AgentRegistry.load(config.resolve("agents.yaml")));
        if (!check.ok()) {
            err.println("baton: the starter pipeline would not be valid here:");
            check.violations().forEach(v -> err.println("  " + v));
            err.flush();
            return ExitCode.INVALID;
        }
        try {
            Files.createDirectories(routes);
            Files.writeString(
                    file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            err.println("baton: " + file
                    + " already exists; it is left as it is (choose another name, or delete it first)");
            err.flush();
            return ExitCode.INVALID;
        } catch (IOException e) {
            err.println("baton: cannot write " + file + ": " + e);
            err.flush();
            return ExitCode.RUN_FAILED;
        }
        out.printf(
                "wrote %s: pipeline '%s', %d stages, agents researcher, writer and reviewer (demo agents)%n",
                file, name, check.pipeline().stages().size());
        out.printf("next:  baton dry-run %s -p topic=queues%n", file);
        out.printf(
                "       baton submit %s -p topic=queues --wait    (a running Baton loads %s by itself)%n",
                name, routes);
        out.flush();
        return ExitCode.OK;
    }

    static String starter(String name, Path file) {
        return """
                # %1$s: a starter pipeline written by `baton init %1$s`. Edit it freely: a running Baton reloads
                # this folder on save, and a file that does not validate is reported and not loaded.
                #   check it:  baton validate %2$s
                #   see it:    baton dry-run %2$s -p topic=queues
                #   run it:    baton submit %1$s -p topic=queues --wait
                apiVersion: baton/v1
                kind: Pipeline
                metadata:
                  name: %1$s
                  description: Research a topic, draft an article, review it, rewrite it if the review asks
                spec:
                  # The params a run is started with (-p topic=... or --values params.yaml); unknown ones are refused.
                  params:
                    topic: {required: true}
                    tone: {default: neutral}
                  # The agents the stages name. kind: demo answers at once with the output written here, so the
                  # pipeline runs before any real agent exists. To put a real agent in place, declare the same name
                  # in config/agents.yaml, which wins: kind external (your own process reading the queue
                  # baton.agent.<name>), llm, http, camel or mcp.
                  agents:
                    researcher:
                      kind: demo
                      output: {topic: "{{ input.topic }}", tone: "{{ input.tone }}", findings: [first finding, second finding]}
                    writer:
                      kind: demo
                      output: {title: "On {{ input.research.topic }}", body: "a draft built on the findings"}
                    reviewer:
                      kind: demo
                      output: {verdict: approve}
                  pipeline:
                    stages:
                      - name: research
                        agent: researcher
                        input: "$.params"              # a JSONPath into the run context: params, earlier outputs
                        output: "$.research"           # where the agent's output is written in the context
                        timeout: 5m                    # per attempt; an attempt that takes longer is retried
                        retry: {maxAttempts: 3, backoff: exponential, initialDelay: 2s}
                      - name: draft
                        dependsOn: [research]          # runs once research SUCCEEDED; no input: {research: ...}
                        agent: writer
                        output: "$.draft"
                      - name: review
                        dependsOn: [draft]
                        agent: reviewer
                        input: "$.draft"
                        output: "$.review"
                      - name: rewrite                  # SKIPPED unless the reviewer asked for changes
                        dependsOn: [review]
                        condition: 'review.verdict != "approve"'
                        agent: writer
                        input: "$.draft"
                        output: "$.draft"
                """.formatted(name, file);
    }
}
