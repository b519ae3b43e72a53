package dev.baton;

import dev.baton.agent.AgentConfig;
import dev.baton.config.BatonSettings;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.Tx;
import java.util.Locale;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What Baton tells its operator as it starts and stops: a catch-all default agent, where it is up, what was in flight. */
final class LifecycleLog {
    /** Under the server's name: operators and the shutdown test read these lines there. */
    private static final Logger LOG = LoggerFactory.getLogger(BatonServer.class);

    private LifecycleLog() {}

    /** agents.yaml's {@code default} turns every undeclared agent into one of its kind: worth a warning at start. */
    static void defaultAgent(BatonSettings settings, AgentConfig dflt) {
        if (dflt == null) {
            return;
        }
        LOG.warn(
                "{} has a `default` of kind {}: every agent a pipeline names that is declared nowhere else "
                        + "runs as such an agent (each is named when its pipeline loads); remove `default` to make an "
                        + "undeclared agent a validation error",
                settings.configDir().resolve("agents.yaml"),
                dflt.kind().name().toLowerCase(Locale.ROOT));
    }

    /** Where Baton answers, once it does; {@code t0} is {@link System#nanoTime()} when starting began. */
    static void up(BatonSettings settings, long t0) {
        var bs = settings.broker();
        LOG.info(
                "Baton is up in {} ms: http://{}:{}/api, web console http://{}:{}/, broker {}, database {}, "
                        + "routes from {}",
                (System.nanoTime() - t0) / 1_000_000,
                settings.httpHost(),
                settings.httpPort(),
                settings.httpHost(),
                settings.httpPort(),
                bs.embedded() ? "embedded (tcp port " + bs.port() + ")" : bs.url(),
                settings.db().url(),
                settings.routesDir());
    }

    /** One line saying what was in flight: those runs go on when Baton starts again, their state being stored. */
    static void stopping(DataSource dataSource) {
        String inFlight;
        try {
            var n = new Tx(dataSource).run(c -> new RunStore().inFlight(c));
            inFlight = n.runs() + " run(s) in flight, " + n.tickets() + " ticket(s) queued or with agents";
        } catch (RuntimeException e) {
            inFlight = "what was in flight is unknown (" + e.getMessage() + ")";
        }
        LOG.info("stopping: {}; they go on when Baton starts again", inFlight);
    }

    static void stopped() {
        LOG.info("stopped");
    }
}
