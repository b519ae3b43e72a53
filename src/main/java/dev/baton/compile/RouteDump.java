package dev.baton.compile;

import dev.baton.pipeline.LoopStage;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.Stage;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RoutesDefinition;
import org.apache.camel.support.PluginHelper;

/**
 * Prints a revision's compiled routes as Camel YAML DSL, stage by stage, from the route model of a CamelContext
 * (Camel's own dumper, camel-yaml-io): {@code baton export} prints those it compiles, and the same dump of a running
 * Baton's context shows the routes it runs.
 */
public final class RouteDump {
    private RouteDump() {}

    /** The revision's routes in {@code camel}, each stage's under a comment saying what its routes do. */
    public static String revision(CamelContext camel, Pipeline p) throws Exception {
        List<RouteDefinition> all = ((ModelCamelContext) camel).getRouteDefinitions();
        StringBuilder out = new StringBuilder();
        stages(camel, p, Scope.top(p), all, out);
        String prefix = Endpoints.revisionRoutes(p.name(), p.revision());
        out.append("# the run: it succeeds once every stage has, and fails when one does\n");
        out.append(yaml(
                camel,
                all.stream()
                        .filter(r -> r.getRouteId().equals(prefix + "end")
                                || r.getRouteId().equals(prefix + "failed"))
                        .toList()));
        return out.toString();
    }

    private static void stages(
            CamelContext camel, Pipeline p, Scope scope, List<RouteDefinition> all, StringBuilder out)
            throws Exception {
        for (Stage stage : scope.stages()) {
            String prefix = Endpoints.stageRoute(p.name(), p.revision(), scope.qualified(stage), "");
            out.append("# stage '")
                    .append(scope.qualified(stage))
                    .append("' (")
                    .append(stage.kind())
                    .append(")\n");
            List<RouteDefinition> mine = all.stream()
                    .filter(r ->
                            r.getRouteId().startsWith(prefix) && r.getRouteId().indexOf('.', prefix.length()) < 0)
                    .toList();
            for (RouteDefinition r : mine) {
                out.append("#   ")
                        .append(r.getRouteId().substring(prefix.length()))
                        .append(": ")
                        .append(r.getDescriptionText())
                        .append('\n');
            }
            out.append(yaml(camel, mine));
            if (stage instanceof LoopStage loop) {
                stages(camel, p, scope.inner(loop), all, out);
            }
        }
    }

    /** Routes as Camel YAML DSL. */
    public static String yaml(CamelContext camel, List<RouteDefinition> routes) throws Exception {
        if (routes.isEmpty()) {
            return "";
        }
        RoutesDefinition defs = new RoutesDefinition();
        defs.setRoutes(routes);
        // without the node ids Camel generates for a started route, so a running context and an export compare equal
        return PluginHelper.getModelToYAMLDumper(camel).dumpModelAsYaml(camel, defs, false, false, false, false);
    }
}
