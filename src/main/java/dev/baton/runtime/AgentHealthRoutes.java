package dev.baton.runtime;

import dev.baton.compile.Endpoints;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Heartbeats in (one shared queue on {@code baton.heartbeats} for all Baton processes), and the sweep that marks
 * silent instances DOWN every heartbeat interval and hands their failover messages to the relay.
 */
public final class AgentHealthRoutes extends RouteBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(AgentHealthRoutes.class);
    private final AgentHealth health;
    private final OutboxRelay relay;

    public AgentHealthRoutes(AgentHealth health, OutboxRelay relay) {
        this.health = health;
        this.relay = relay;
    }

    @Override
    public void configure() {
        // A heartbeat that is not one is dropped with a warning: heartbeats are ephemeral, the next one counts.
        onException(PoisonMessageException.class).handled(true).process(ex -> LOG.warn("heartbeat dropped: {}",
                ex.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class).getMessage()));

        from(Endpoints.consumer(Endpoints.HEARTBEATS_QUEUE, 2)).routeId(Endpoints.ROUTE_HEARTBEATS)
                .process(ex -> health.onHeartbeat(ex.getMessage().getBody(String.class)));

        long period = Math.max(50, health.policy().interval().toMillis());
        from("timer:" + Endpoints.ROUTE_AGENT_SWEEP + "?period=" + period + "&delay=" + period)
                .routeId(Endpoints.ROUTE_AGENT_SWEEP)
                .process(ex -> relay.send(health.sweep()));
    }
}
