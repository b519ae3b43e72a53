package dev.baton.runtime;

import dev.baton.compile.Endpoints;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Heartbeats in (one shared queue on {@code baton.heartbeats} for all Baton processes), and the sweep that marks
 * silent instances DOWN and hands their failover messages to the relay.
 */
public final class AgentHealthRoutes extends RouteBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(AgentHealthRoutes.class);
    /** Heartbeats refused, by the broker user that sent them and why: the visible trace of a forging agent. */
    public static final String HEARTBEATS_REFUSED = "baton.heartbeats.refused";

    private final AgentHealth health;
    private final OutboxRelay relay;
    private final String batonUser;
    private final io.micrometer.core.instrument.MeterRegistry registry;
    private final LocalProcesses local;

    /**
     * @param batonUser Baton's own broker user, whose heartbeats (the in-process agents') may name any agent
     * @param registry where refused heartbeats are counted
     * @param local this process and its host, to know this host's gone processes' instances without waiting
     */
    public AgentHealthRoutes(
            AgentHealth health,
            OutboxRelay relay,
            String batonUser,
            io.micrometer.core.instrument.MeterRegistry registry,
            LocalProcesses local) {
        this.health = health;
        this.relay = relay;
        this.batonUser = batonUser;
        this.registry = registry;
        this.local = local;
    }

    /**
     * How often the sweep runs: at most a second apart (and at most an interval), so that an instance is marked
     * DOWN within a second of its three intervals of silence, not up to a whole interval (15 s) later.
     */
    static long sweepPeriodMillis(java.time.Duration interval) {
        return Math.max(50, Math.min(1000, interval.toMillis()));
    }

    @Override
    public void configure() {
        // A heartbeat that is not one is dropped with a warning: heartbeats are ephemeral, the next one counts.
        onException(PoisonMessageException.class)
                .handled(true)
                .process(ex -> LOG.warn(
                        "heartbeat dropped: {}",
                        ex.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class)
                                .getMessage()));
        // Refused (another agent's name, too many instances): logged and counted, never applied; not redelivered.
        onException(AgentHealth.Refused.class).handled(true).process(ex -> {
            AgentHealth.Refused r = ex.getProperty(Exchange.EXCEPTION_CAUGHT, AgentHealth.Refused.class);
            LOG.warn("heartbeat refused: {}", r.getMessage());
            String user = BrokerSender.of(ex, batonUser);
            io.micrometer.core.instrument.Counter.builder(HEARTBEATS_REFUSED)
                    .description("Heartbeats refused: sent by one agent's user for another agent, or a new instance "
                            + "beyond baton.agents.max-instances")
                    .tag("user", user == null ? batonUser : user)
                    .tag("reason", r.reason())
                    .register(registry)
                    .increment();
        });

        from(Endpoints.consumer(Endpoints.HEARTBEATS_QUEUE, 2))
                .routeId(Endpoints.ROUTE_HEARTBEATS)
                .process(ex -> health.onHeartbeat(InboundMessages.text(ex), BrokerSender.of(ex, batonUser)));

        // From the start (delay 0): a restarted process fails over its previous life's attempts at once.
        from("timer:" + Endpoints.ROUTE_AGENT_SWEEP + "?period="
                        + sweepPeriodMillis(health.policy().interval()) + "&delay=0")
                .routeId(Endpoints.ROUTE_AGENT_SWEEP)
                .process(ex -> relay.send(health.sweep(local)));
    }
}
