package dev.baton;

import dev.baton.agent.InProcessAgents;
import dev.baton.compile.Endpoints;
import dev.baton.compile.RevisionRoutes;
import dev.baton.compile.RoutesFolder;
import dev.baton.pipeline.Pipeline;
import dev.baton.ticket.StoreException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps what runs in step with the pipelines: each file of {@code routes/} that loads is stored, scheduled, compiled
 * and its in-process agents served; revisions that unfinished runs are pinned to keep their routes and agents until
 * those runs end.
 */
final class PipelineServing {
    /** Under the server's name, where operators look for what the routes folder did. */
    private static final Logger LOG = LoggerFactory.getLogger(BatonServer.class);

    private final Core core;
    private final CamelContext camel;
    private final EngineParts engine;
    private final InProcessAgents inProcess;
    private final RoutesFolder folder;

    PipelineServing(Core core, CamelContext camel, EngineParts engine, InProcessAgents inProcess) {
        this.core = core;
        this.camel = camel;
        this.engine = engine;
        this.inProcess = inProcess;
        this.folder = new RoutesFolder(
                core.settings().routesDir(),
                core.pipelines(),
                core.agents(),
                camel,
                new RoutesFolder.Listener() {
                    @Override
                    public void loaded(Pipeline p) throws Exception {
                        PipelineServing.this.loaded(p);
                    }

                    @Override
                    public void unloaded(String pipeline) throws Exception {
                        engine.scheduler().unloaded(pipeline);
                        removeRoute(Endpoints.pipelineTriggerRoute(pipeline));
                    }
                },
                core.settings().limits().maxStages());
    }

    /** The folder's files, which the API lists and validates against. */
    RoutesFolder folder() {
        return folder;
    }

    /** The first scan at start: every file, then the revisions runs in flight are pinned to; stale schedules go. */
    void loadAll() throws Exception {
        folder.scan();
        servePinned();
        engine.scheduler().forgetAllBut(core.pipelines().all());
    }

    /**
     * A later scan; after {@code agents.yaml} changed, every file is validated again against it first (one that no
     * longer validates keeps its previous version serving, as after a broken edit) and every agent served as it says.
     */
    void rescan(boolean registryChanged) throws Exception {
        if (registryChanged) folder.revalidate();
        folder.scan();
        if (registryChanged) {
            for (Pipeline p : core.pipelines().all()) inProcess.serve(p);
            servePinned();
        }
    }

    private void loaded(Pipeline p) throws Exception {
        try {
            core.tx().run(c -> {
                core.pipelines().remember(c, p);
                return null;
            });
        } catch (StoreException e) {
            if (!e.uniqueViolation()) throw e; // another instance stored the same revision first
        }
        engine.scheduler().loaded(p);
        engine.revisions().ensure(p);
        removeRoute(Endpoints.pipelineTriggerRoute(p.name()));
        camel.addRoutes(engine.compiler().trigger(p));
        inProcess.serve(p);
    }

    /** Runs in flight finish on their pinned revision even when its file is gone: their in-process agents must run. */
    private void servePinned() throws Exception {
        for (String[] pr : core.tx().run(core.store()::activeRevisions)) {
            Pipeline p;
            try {
                p = core.tx().run(c -> core.pipelines().pinned(c, pr[0], pr[1]));
                engine.revisions().ensure(p);
            } catch (IllegalStateException e) {
                // its runs fail, naming the revision, on their next event
                LOG.error(
                        "revision {} of pipeline '{}' has unfinished runs but can no longer be compiled: {}",
                        pr[1].substring(0, 12),
                        pr[0],
                        e.getMessage());
                continue;
            }
            inProcess.serve(p);
        }
    }

    /**
     * Removes the compiled routes of revisions that are neither current nor pinned by an unfinished run, and unused
     * for {@code idle}; returns them as {@code pipeline@revision}.
     */
    List<String> retireRevisions(Duration idle) throws Exception {
        Set<String> keep = new HashSet<>();
        core.pipelines().all().forEach(p -> keep.add(RevisionRoutes.key(p.name(), p.revision())));
        for (String[] pr : core.tx().run(core.store()::activeRevisions)) {
            keep.add(RevisionRoutes.key(pr[0], pr[1]));
        }
        return engine.revisions().retire(keep, idle);
    }

    private void removeRoute(String routeId) throws Exception {
        if (camel.getRoute(routeId) != null) {
            camel.getRouteController().stopRoute(routeId);
            camel.removeRoute(routeId);
        }
    }
}
