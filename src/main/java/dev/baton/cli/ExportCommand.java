package dev.baton.cli;

import dev.baton.agent.AgentConfig;
import dev.baton.agent.AgentKind;
import dev.baton.agent.AgentRegistry;
import dev.baton.agent.DemoAgentRoutes;
import dev.baton.compile.ChunkedRoutes;
import dev.baton.compile.Endpoints;
import dev.baton.compile.PipelineCompiler;
import dev.baton.compile.PrintedProcessors;
import dev.baton.compile.RouteDump;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.load.LoadResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.RouteDefinition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code baton export FILE}: the Camel routes loading the pipeline adds, as Camel YAML DSL, written by Camel's own
 * model-to-YAML dumper (camel-yaml-io) from the routes {@link PipelineCompiler} builds; offline, no server needed.
 */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = {
            "Validate a pipeline and print, as Camel YAML DSL, the Camel routes it compiles to: its start route "
                    + "(direct:baton-start-<name>, which any Camel route can call), the routes of each stage (join, "
                    + "condition, run, ended, done, compensate), the run's end, and a route per in-process agent it declares.",
            "These are the routes Baton adds for the revision when it loads the file. Works offline."
        })
public final class ExportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "pipeline file")
    Path file;

    @Option(
            names = "--config",
            defaultValue = "config",
            description = "config folder with agents.yaml (default: ${DEFAULT-VALUE})")
    Path config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        AgentRegistry agents = AgentRegistry.load(config.resolve("agents.yaml"));
        LoadResult r = ValidateCommand.load(file, agents, err);
        if (r == null || r.pipeline() == null) {
            if (r != null) r.violations().forEach(err::println);
            err.flush();
            return ExitCode.INVALID;
        }
        out.print(yaml(r.pipeline(), agents));
        out.flush();
        return ExitCode.OK;
    }

    /** The routes as YAML; the context is never started, so nothing connects to a broker or opens a port. */
    static String yaml(Pipeline p, AgentRegistry agents) throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            PipelineCompiler compiler = new PipelineCompiler(
                    (name, params, key) -> {
                        throw new IllegalStateException("an exported route starts runs only inside Baton");
                    },
                    new PrintedProcessors());
            camel.addRoutes(compiler.trigger(p));
            ChunkedRoutes.add(camel, compiler.revision(p));
            for (String name : agentNames(p)) {
                AgentConfig a = agents.resolve(name, p.agents().get(name)).orElse(null);
                if (a != null && a.kind() == AgentKind.DEMO) {
                    camel.addRoutes(new DemoAgentRoutes(name, a.demo()));
                } else if (a != null && a.kind() == AgentKind.CAMEL) {
                    camel.addRoutes(new dev.baton.agent.CamelAgentRoutes(
                            name, a.camel(), a.camel().concurrency()));
                }
            }
            String trigger = Endpoints.pipelineTriggerRoute(p.name());
            String revision = Endpoints.revisionRoutes(p.name(), p.revision());
            List<RouteDefinition> defs = camel.getRouteDefinitions();
            return "# Camel routes of pipeline '" + p.name() + "' revision "
                    + p.revision().substring(0, 12) + " ("
                    + p.file() + "), as Baton adds them when it loads the file.\n"
                    + "# Every event of a run (a reply, a timeout, a decision) calls them in its database transaction.\n"
                    + "# the start route: any Camel route may call it\n"
                    + RouteDump.yaml(
                            camel,
                            defs.stream()
                                    .filter(r -> r.getRouteId().equals(trigger))
                                    .toList())
                    + RouteDump.revision(camel, p)
                    + agentsYaml(
                            camel,
                            defs.stream()
                                    .filter(r -> !r.getRouteId().equals(trigger)
                                            && !r.getRouteId().startsWith(revision))
                                    .toList());
        }
    }

    private static String agentsYaml(DefaultCamelContext camel, List<RouteDefinition> agents) throws Exception {
        return agents.isEmpty() ? "" : "# the in-process agents it declares\n" + RouteDump.yaml(camel, agents);
    }

    /** The agents the pipeline declares and those its stages name, as Baton starts demo agents for them. */
    private static Set<String> agentNames(Pipeline p) {
        Set<String> names = new LinkedHashSet<>(p.agents().keySet());
        p.stages().forEach(s -> names.addAll(s.agentNames()));
        return names;
    }
}
