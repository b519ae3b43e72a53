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

    public DemoAgentRoutes(String name, DemoOptions options) {
        this.name = name;
        this.options = options;
        this.agent = new DemoAgent(name, options);
    }

    @Override
    public void configure() {
        var route = from(Endpoints.consumer(Endpoints.agentQueue(name), options.concurrency()))
                .routeId(Endpoints.demoAgentRoute(name))
                .convertBodyTo(String.class)
                .setProperty("ticket", body());
        if (!options.delay().isZero()) {
            route.process(ex -> reply(ex, agent.started(ticket(ex)), 0))
                    .to(Endpoints.JMS + ":queue:" + Endpoints.RESULTS);
        }
        route.process(ex -> reply(ex, agent.reply(ticket(ex)), options.delay().toMillis()))
                .to(Endpoints.JMS + ":queue:" + Endpoints.RESULTS);
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
