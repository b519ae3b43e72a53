package dev.baton.cli;

import dev.baton.agent.AgentRegistry;
import dev.baton.pipeline.AgentStage;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.Stage;
import dev.baton.pipeline.load.LoadResult;
import dev.baton.pipeline.validate.Dag;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton dry-run FILE}: the order stages would run in, as waves of stages that run at the same time. */
@Command(name = "dry-run", mixinStandardHelpOptions = true, description = "Validate a pipeline and print its topological order and waves of parallel stages.")
public final class DryRunCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "pipeline file")
    Path file;

    @Option(names = "--config", defaultValue = "config", description = "config folder with agents.yaml (default: ${DEFAULT-VALUE})")
    Path config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LoadResult r = ValidateCommand.load(file, AgentRegistry.load(config.resolve("agents.yaml")), err);
        if (r == null || r.pipeline() == null) {
            if (r != null) r.violations().forEach(err::println);
            err.flush();
            return 2;
        }
        Pipeline p = r.pipeline();
        out.printf("pipeline %s (%d stages)%n", p.name(), p.stages().size());
        out.println("order: " + String.join(" -> ", Dag.topologicalOrder(p)));
        List<List<String>> waves = Dag.waves(p);
        for (int i = 0; i < waves.size(); i++) {
            out.printf("wave %d:%n", i + 1);
            for (String name : waves.get(i)) {
                Stage s = p.stage(name).orElseThrow();
                String who = s.kind() + " " + String.join(", ", s.agentNames());
                out.printf("  %-24s %s%s%n", name, who,
                        s.dependsOn().isEmpty() ? "" : "  after " + String.join(", ", s.dependsOn()));
            }
        }
        out.flush();
        return 0;
    }
}
