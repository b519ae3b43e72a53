package dev.baton;

import dev.baton.agent.AgentRegistry;
import dev.baton.agent.InProcessAgents;
import dev.baton.api.auth.LiveSecurity;
import dev.baton.compile.Endpoints;
import dev.baton.compile.RevisionRoutes;
import java.time.Duration;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The watch on {@code config/} and {@code routes/}, one tick per scan interval: security.yaml and agents.yaml are
 * reloaded, the pipeline files scanned, and now and then the routes of revisions nothing needs any more removed.
 */
final class ConfigWatch {
    /** Under the server's name, where operators look for what the watch did. */
    private static final Logger LOG = LoggerFactory.getLogger(BatonServer.class);

    private static final long RETIRE_EVERY_NANOS = Duration.ofSeconds(30).toNanos();

    private final Core core;
    private final Foundation foundation;
    private final InProcessAgents inProcess;
    private final PipelineServing serving;
    /** security.yaml as it says now; null when the API runs open. */
    private final LiveSecurity security;
    /** When the routes of revisions no run needs any more were last looked for. */
    private long retiredAt;

    ConfigWatch(
            Core core,
            Foundation foundation,
            InProcessAgents inProcess,
            PipelineServing serving,
            LiveSecurity security) {
        this.core = core;
        this.foundation = foundation;
        this.inProcess = inProcess;
        this.serving = serving;
        this.security = security;
    }

    /** Starts the ticks, a timer route every {@code baton.routes.scan-interval}. */
    void install(CamelContext camel) throws Exception {
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("timer:" + Endpoints.ROUTE_ROUTES_WATCH + "?period="
                                + core.settings().scanIntervalMillis())
                        .routeId(Endpoints.ROUTE_ROUTES_WATCH)
                        .process(ex -> tick());
            }
        });
    }

    /**
     * One tick: a registry that changed and loads is put in force, in-process agents it changed or removed are
     * stopped, every pipeline file is validated again against it, and the agents of the loaded pipelines are served as
     * it says.
     */
    private void tick() throws Exception {
        if (security != null) security.reload();
        AgentRegistry before = core.agents().current();
        AgentRegistry after = core.agents().reload();
        if (after != null) {
            after.names().forEach(foundation::allowAgent);
            inProcess.registryChanged(before, after);
        }
        serving.rescan(after != null);
        if (System.nanoTime() - retiredAt > RETIRE_EVERY_NANOS) {
            retiredAt = System.nanoTime();
            for (String retired : serving.retireRevisions(RevisionRoutes.IDLE)) {
                LOG.info("removed the routes of {}: no unfinished run is pinned to it", retired);
            }
        }
    }
}
