package dev.baton;

import dev.baton.agent.LiveRegistry;
import dev.baton.compile.PipelineRegistry;
import dev.baton.config.BatonSettings;
import dev.baton.runtime.AgentHealth;
import dev.baton.runtime.Faults;
import dev.baton.ticket.OutboxStore;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.Tx;
import java.time.Clock;

/**
 * What the parts Baton starts share: its settings, the agents' registry, the database's transactions and stores, the
 * loaded pipelines, the clock, the injected faults, the agent-health policy and tracing.
 */
record Core(
        BatonSettings settings,
        LiveRegistry agents,
        Tx tx,
        RunStore store,
        OutboxStore outbox,
        PipelineRegistry pipelines,
        Clock clock,
        Faults faults,
        AgentHealth.Policy health,
        dev.baton.tracing.Tracing tracing) {

    /** The shared parts over {@code tx}, with a fresh store, pipeline registry and the microsecond clock. */
    static Core over(BatonSettings settings, LiveRegistry agents, Tx tx, dev.baton.tracing.Tracing tracing) {
        Clock clock = new MicrosClock();
        RunStore store = new RunStore();
        return new Core(
                settings,
                agents,
                tx,
                store,
                new OutboxStore(),
                new PipelineRegistry(store, clock),
                clock,
                new Faults(settings.fault()),
                new AgentHealth.Policy(
                        settings.heartbeatInterval(), 3, settings.limits().maxInstances()),
                tracing);
    }
}
