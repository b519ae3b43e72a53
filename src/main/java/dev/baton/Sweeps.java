package dev.baton;

import dev.baton.runtime.AgentHealth;
import dev.baton.runtime.AgentHealthRoutes;
import dev.baton.runtime.LocalProcesses;
import dev.baton.runtime.OutboxRelay;
import dev.baton.runtime.Retention;
import dev.baton.runtime.RetentionRoutes;
import dev.baton.ticket.AgentStore;
import dev.baton.ticket.RetentionStore;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;

/**
 * The periodic sweeps over the database: agent health (heartbeats, instances gone quiet, their attempts failed over)
 * and, when {@code baton.retention.finished-runs} is set, the deletion of finished runs older than it.
 */
final class Sweeps {
    private Sweeps() {}

    /** Adds the sweeps' timer routes; {@code instance} is this process as an agent instance. */
    static void install(CamelContext camel, Core core, OutboxRelay relay, MeterRegistry meters, String instance)
            throws Exception {
        var settings = core.settings();
        camel.addRoutes(new AgentHealthRoutes(
                new AgentHealth(core.tx(), new AgentStore(), core.store(), core.outbox(), core.health(), core.clock()),
                relay,
                settings.broker().user(),
                meters,
                LocalProcesses.current(instance)));
        if (settings.retention().enabled()) {
            camel.addRoutes(new RetentionRoutes(
                    new Retention(core.tx(), new RetentionStore(), Retention.BATCH),
                    settings.retention().finishedRuns(),
                    settings.retention().interval(),
                    core.clock()));
        }
    }
}
