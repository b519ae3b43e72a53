package dev.baton.compile;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.apache.camel.FailedToStartRouteException;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.Model;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;

/**
 * Adds a builder's routes to a CamelContext a chunk at a time, all or none, sparing a revision's thousands of routes the
 * costs Camel pays per batch that grow with the batch's square.
 *
 * <p>{@code CamelContext.addRoutes} hands every route of a builder to Camel's model in one batch, which costs twice
 * over: the model first removes any route of the same id, and each removal gathers the endpoints of every route the
 * context runs ({@code AbstractCamelContext.removeRoute}); then Camel checks each route's node ids against the ids of
 * every other route of the batch by scanning lists ({@code RouteDefinitionHelper.validateUniqueIds}, once per route),
 * quadratic in the batch. Here the builder is configured once ({@link RouteBuilder#prepareModel}, which applies whatever
 * the builder declares for all its routes, such as an error handler or {@code onException}, to every route, as {@code
 * addRoutes} does), the uniqueness of every id is checked once with hash sets, and the routes join the model and are
 * started a chunk at a time ({@link ModelCamelContext#startRouteDefinitions(List)}), each chunk checked by Camel
 * against itself only. What stays superlinear is Camel's start of each route, which scans every route the context
 * runs for a second consumer of its endpoint ({@code InternalRouteStartupManager}).
 */
public final class ChunkedRoutes {
    /**
     * Routes per chunk: Camel's own check is quadratic in it, while every chunk also pays one scan of all the routes
     * the context holds (assigning ids); a few hundred keeps both small up to tens of thousands of routes.
     */
    static final int CHUNK = 256;

    private ChunkedRoutes() {}

    /**
     * Configures the builder and adds its routes, started if the context is; when adding fails, the routes already
     * added are removed again and the failure is thrown, so the context holds all of the builder's routes or none.
     */
    public static void add(CamelContext camel, RouteBuilder builder) throws Exception {
        builder.prepareModel(camel);
        ModelCamelContext mcc = (ModelCamelContext) camel;
        Model model = camel.getCamelContextExtension().getContextPlugin(Model.class);
        List<RouteDefinition> routes = new ArrayList<>();
        for (RouteDefinition r : builder.getRouteCollection().getRoutes()) {
            if (model.getRouteFilter() == null || model.getRouteFilter().apply(r)) routes.add(r);
        }
        refuseDuplicateIds(routes);
        replaceExisting(mcc, routes);
        boolean start = camel.isStarted() && !camel.isStarting();
        int added = 0;
        try {
            while (added < routes.size()) {
                List<RouteDefinition> chunk = routes.subList(added, Math.min(routes.size(), added + CHUNK));
                // as Model.addRouteDefinitions does, under the model's lock, without its removal of each id first
                synchronized (model) {
                    for (RouteDefinition r : chunk) {
                        model.getModelLifecycleStrategies().forEach(s -> s.onAddRouteDefinition(r));
                        model.getRouteDefinitions().add(r);
                        added++;
                    }
                    if (start) mcc.startRouteDefinitions(chunk);
                }
            }
        } catch (Exception | Error e) {
            try {
                mcc.removeRouteDefinitions(routes.subList(0, added));
            } catch (Exception cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /**
     * Refuses the builder's routes, as Camel would refuse them in one batch, when two of their nodes (routes included)
     * share an id: Camel compares each chunk only with itself.
     */
    static void refuseDuplicateIds(List<RouteDefinition> routes) throws FailedToStartRouteException {
        Set<String> seen = new HashSet<>();
        for (RouteDefinition route : routes) {
            for (String id : ProcessorDefinitionHelper.gatherAllNodeIds(route, new ArrayList<>(), true, false)) {
                // as Camel, which leaves ids still holding a property placeholder to be resolved later
                if (!id.startsWith("{{") && !seen.add(id)) {
                    throw new FailedToStartRouteException(
                            route.getId(),
                            "Duplicate id detected: " + id
                                    + ". Please correct ids to be unique among all your routes.");
                }
            }
        }
    }

    /** A route whose id the context already has replaces it, as with {@code addRoutes}: the old one is removed first. */
    private static void replaceExisting(ModelCamelContext mcc, List<RouteDefinition> routes) throws Exception {
        Set<String> ids = new HashSet<>();
        routes.forEach(r -> ids.add(r.getId()));
        List<RouteDefinition> existing = new ArrayList<>();
        for (RouteDefinition r : List.copyOf(mcc.getRouteDefinitions())) {
            if (r.getId() != null && ids.contains(r.getId())) existing.add(r);
        }
        if (!existing.isEmpty()) mcc.removeRouteDefinitions(existing);
    }
}
