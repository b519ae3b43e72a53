package dev.baton.agent;

import dev.baton.compile.Endpoints;
import dev.baton.pipeline.Json;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/**
 * A demo agent as a Camel route: consumes its queue and replies on {@code baton.results} in the same JMS
 * transaction. The simulated work is held by the broker (scheduled delivery of the reply), not by a sleeping thread.
 */
public final class DemoAgentRoutes extends RouteBuilder {
    private final String name;
    private final DemoAgent agent;
    private final DemoOptions options;

    private final int consumers;

    /**
     * @param maxConcurrency the agent's {@code maxConcurrency} (the queue's max-consumers), or null: the demo
     *     agent opens no more consumers than the broker admits, else the ones over the limit would fail and retry
     */
    public DemoAgentRoutes(String name, DemoOptions options, Integer maxConcurrency) {
        this.name = name;
        this.options = options;
        this.agent = new DemoAgent(name, options);
        this.consumers =
                maxConcurrency == null ? options.concurrency() : Math.min(options.concurrency(), maxConcurrency);
    }

    public DemoAgentRoutes(String name, DemoOptions options) {
        this(name, options, null);
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
            route.process(ex -> reply(ex, agent.started(ticket(ex)), 0))
                    .to(Endpoints.agentReplies());
        }
        route.process(ex -> reply(ex, agent.reply(ticket(ex)), options.delay().toMillis()))
                .to(Endpoints.agentReplies());
    }

    private static com.fasterxml.jackson.databind.JsonNode ticket(Exchange ex) {
        return Json.parse(ex.getProperty("ticket", String.class));
    }

    private static void reply(Exchange ex, Object body, long delayMillis) {
        var msg = ex.getMessage();
        String ticketId = ((com.fasterxml.jackson.databind.JsonNode) body).path("ticketId").asText();
        msg.removeHeaders("*");
        msg.setBody(Json.write(body));
        msg.setHeader("JMSCorrelationID", ticketId);
        if (delayMillis > 0) {
            msg.setHeader(Endpoints.HEADER_SCHEDULED, System.currentTimeMillis() + delayMillis);
        }
    }
}
