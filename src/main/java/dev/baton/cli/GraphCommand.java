package dev.baton.cli;

import dev.baton.agent.AgentRegistry;
import dev.baton.pipeline.load.LoadResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton graph FILE}: a pipeline drawn as a Mermaid flowchart or a Graphviz DOT digraph. */
@Command(
        name = "graph",
        mixinStandardHelpOptions = true,
        description = "Validate a pipeline and print it as a graph: Mermaid (paste into Markdown) or DOT (dot -Tsvg).")
public final class GraphCommand implements Callable<Integer> {
    private static final List<String> FORMATS = List.of("mermaid", "dot");

    @Parameters(paramLabel = "FILE", description = "pipeline file")
    Path file;

    @Option(
            names = "--format",
            defaultValue = "mermaid",
            completionCandidates = Formats.class,
            description = "mermaid or dot (default: ${DEFAULT-VALUE})")
    String format;

    @Option(
            names = "--config",
            defaultValue = "config",
            description = "config folder with agents.yaml (default: ${DEFAULT-VALUE})")
    Path config;

    @Spec
    CommandSpec spec;

    /** The values {@code --format} accepts, for help and shell completion. */
    static final class Formats implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return FORMATS.iterator();
        }
    }

    @Override
    public Integer call() {
        if (!FORMATS.contains(format)) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--format '" + format + "' is unknown; use one of " + String.join(", ", FORMATS));
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LoadResult r = ValidateCommand.load(file, AgentRegistry.load(config.resolve("agents.yaml")), err);
        if (r == null || r.pipeline() == null) {
            if (r != null) r.violations().forEach(err::println);
            err.flush();
            return 2;
        }
        PipelineGraph graph = PipelineGraph.of(r.pipeline());
        out.print(format.equals("dot") ? DotWriter.write(graph) : MermaidWriter.write(graph));
        out.flush();
        return 0;
    }
}
