package dev.baton.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.agent.AgentRegistry;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.LoopStage;
import dev.baton.pipeline.Params;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.Schedule;
import dev.baton.pipeline.Stage;
import dev.baton.pipeline.load.LoadResult;
import dev.baton.pipeline.validate.Dag;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton dry-run FILE}: the order stages would run in, as waves of stages that run at the same time. */
@Command(
        name = "dry-run",
        mixinStandardHelpOptions = true,
        description = {
            "Validate a pipeline and print its topological order, waves of parallel stages and params.",
            "With -p or --values: check the params as a run would (missing, unknown), print them with defaults filled in, "
                    + "and which conditions that read only params would skip their stage."
        })
public final class DryRunCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "pipeline file")
    Path file;

    @Option(
            names = "--config",
            defaultValue = "config",
            description = "config folder with agents.yaml (default: ${DEFAULT-VALUE})")
    Path config;

    @Mixin
    ParamsOption params;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ObjectNode given = params.given() ? params.toJson() : null; // a bad --values file fails first
        LoadResult r = ValidateCommand.load(file, AgentRegistry.load(config.resolve("agents.yaml")), err);
        if (r != null) ValidateCommand.warn(r, err);
        if (r == null || r.pipeline() == null) {
            if (r != null) r.violations().forEach(err::println);
            err.flush();
            return 2;
        }
        print(r.pipeline(), out);
        out.println("params: " + DryRunParams.declared(r.pipeline()));
        out.flush();
        if (given == null) {
            err.flush();
            return 0;
        }
        Params.Resolution resolved = Params.resolve(r.pipeline(), given);
        if (!resolved.ok()) {
            err.println("baton: params do not match pipeline '" + r.pipeline().name() + "':");
            resolved.problems().forEach(p -> err.println("  " + p));
            err.flush();
            return 2;
        }
        DryRunParams.print(r.pipeline(), resolved.params(), out);
        out.flush();
        err.flush();
        return 0;
    }

    /** The run order, then each wave, one line per stage: what it does, its condition, compensation, dependencies. */
    static void print(Pipeline p, PrintWriter out) {
        out.printf("pipeline %s (%d stages)%n", p.name(), p.stages().size());
        out.println("order: " + String.join(" -> ", Dag.topologicalOrder(p)));
        Schedule s = p.schedule();
        if (s != null) {
            out.printf(
                    "schedule: \"%s\" in %s, params %s, missed ticks: %s, next %s%n",
                    s.cron(),
                    s.timezone().getId(),
                    Json.write(s.params()),
                    s.missed().label(),
                    s.nextAfter(Instant.now()).map(Object::toString).orElse("never"));
        }
        List<List<String>> waves = Dag.waves(p);
        for (int i = 0; i < waves.size(); i++) {
            out.printf("wave %d:%n", i + 1);
            for (String name : waves.get(i)) {
                line(p.stage(name).orElseThrow(), 1, out);
            }
        }
    }

    /** A stage's line, then the lines of a loop's inner stages in run order, indented one step more. */
    private static void line(Stage s, int depth, PrintWriter out) {
        String indent = "  ".repeat(depth);
        out.printf(
                "%s%-" + Math.max(1, 26 - indent.length()) + "s %s%s%n",
                indent,
                s.name(),
                StageSummary.describe(s),
                s.dependsOn().isEmpty() ? "" : "  after " + String.join(", ", s.dependsOn()));
        if (s instanceof LoopStage loop) {
            Pipeline inner = StageSummary.inner(loop);
            for (String name : Dag.topologicalOrder(inner)) {
                line(inner.stage(name).orElseThrow(), depth + 1, out);
            }
        }
    }
}
