package dev.baton.agent;

import dev.baton.agent.protocol.Heartbeat;
import dev.baton.agent.protocol.Reply;
import dev.baton.agent.protocol.Ticket;
import dev.baton.compile.Endpoints;
import java.time.Duration;
import java.time.Instant;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/**
 * A demo agent as a Camel route: consumes its queue and replies on {@code baton.results} in the same JMS
 * transaction. The simulated work is held by the broker (scheduled delivery of the reply), not by a sleeping thread.
 * It sends heartbeats like any agent, as one instance per Baton process.
 */
public final class DemoAgentRoutes extends RouteBuilder {
    private final String name;
    private final DemoAgent agent;
    private final DemoOptions options;
    private final Duration heartbeatInterval;
    private final String instance;

    private final int consumers;

    public DemoAgentRoutes(String name, DemoOptions options) {
        this(name, options, null, Duration.ofSeconds(15), "local");
    }

    /**
     * @param maxConcurrency the agent's {@code maxConcurrency} (the queue's max-consumers), or null: the demo
     *     agent opens no more consumers than the broker admits, else the ones over the limit would fail and retry
     * @param instance this process's instance of the agent, as its heartbeats and replies name it
     */
    public DemoAgentRoutes(
            String name, DemoOptions options, Integer maxConcurrency, Duration heartbeatInterval, String instance) {
        this.name = name;
        this.options = options;
        this.agent = new DemoAgent(name, options);
        this.consumers =
                maxConcurrency == null ? options.concurrency() : Math.min(options.concurrency(), maxConcurrency);
        this.heartbeatInterval = heartbeatInterval;
        this.instance = instance;
    }

    /** Consumers this agent opens on its queue. */
    public int consumers() {
        return consumers;
    }

    @Override
    public void configure() {
        var route = from(Endpoints.agentConsumer(name, consumers))
                .routeId(Endpoints.demoAgentRoute(name))
                .convertBodyTo(String.class)
                .setProperty("ticket", body());
        if (!options.delay().isZero()) {
            route.process(ex -> reply(ex, agent.started(ticket(ex)).withInstance(instance), 0))
                    .to(Endpoints.agentReplies());
        }
        route.process(ex -> reply(
                        ex,
                        agent.reply(ticket(ex)).withInstance(instance),
                        options.delay().toMillis()))
                .to(Endpoints.agentReplies());

        // Not persistent, and gone after three intervals: a heartbeat is only news while it is fresh.
        long period = heartbeatInterval.toMillis();
        from("timer:" + Endpoints.demoHeartbeatRoute(name) + "?period=" + period + "&delay=0")
                .routeId(Endpoints.demoHeartbeatRoute(name))
                .process(ex -> ex.getMessage()
                        .setBody(Heartbeat.of(name, instance, Instant.now()).toJson()))
                .to(Endpoints.JMS_OUT + ":topic:" + Endpoints.HEARTBEATS + "?deliveryPersistent=false&timeToLive="
                        + period * 3);
    }

    private static Ticket ticket(Exchange ex) {
        return Ticket.parse(ex.getProperty("ticket", String.class));
    }

    private static void reply(Exchange ex, Reply body, long delayMillis) {
        var msg = ex.getMessage();
        msg.removeHeaders("*");
        msg.setBody(body.toJson());
        msg.setHeader("JMSCorrelationID", body.ticketId());
        if (delayMillis > 0) {
            msg.setHeader(Endpoints.HEADER_SCHEDULED, System.currentTimeMillis() + delayMillis);
        }
    }
}
