package dev.baton.cli;

import dev.baton.agent.AgentRegistry;
import dev.baton.pipeline.load.LoadResult;
import dev.baton.pipeline.load.PipelineLoader;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton validate FILE...}: every problem of every file, with file:line:column; exit 2 if any. */
@Command(
        name = "validate",
        mixinStandardHelpOptions = true,
        description = "Validate pipeline files; print every problem with file:line:column (exit 2), and warnings "
                + "(a param read but not declared) that do not fail the file.")
public final class ValidateCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", arity = "1..*", description = "pipeline files")
    List<Path> files;

    @Option(
            names = "--config",
            defaultValue = "config",
            description = "config folder with agents.yaml (default: ${DEFAULT-VALUE})")
    Path config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        AgentRegistry agents = AgentRegistry.load(config.resolve("agents.yaml"));
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int bad = 0;
        for (Path f : files) {
            LoadResult r = load(f, agents, err);
            if (r != null) warn(r, err);
            if (r == null || r.pipeline() == null) {
                bad++;
                if (r != null) r.violations().forEach(err::println);
            } else {
                int n = r.pipeline().stages().size();
                out.printf(
                        "%s: OK (pipeline '%s', %d stage%s)%n", f, r.pipeline().name(), n, n == 1 ? "" : "s");
            }
        }
        out.flush();
        err.flush();
        return bad == 0 ? 0 : 2;
    }

    /** Prints each warning as {@code file:line:column warning: stage 'x': ...}; warnings never fail a command. */
    static void warn(LoadResult r, PrintWriter err) {
        r.warnings()
                .forEach(w -> err.println(w.location() + " warning: "
                        + (w.stage() == null ? "" : "stage '" + w.stage() + "': ") + w.message()));
    }

    /** Loads a file, or prints why it cannot be read and returns null. */
    static LoadResult load(Path f, AgentRegistry agents, PrintWriter err) {
        if (!Files.isRegularFile(f)) {
            err.println(f + ": no such file");
            return null;
        }
        return PipelineLoader.read(f, f.toString(), agents);
    }
}
