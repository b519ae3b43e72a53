package dev.baton.api;

import dev.baton.pipeline.Json;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code GET /api/agents}: the agent registry with health, instances, tickets and queues ({@link AgentViews}). */
public final class AgentApiRoutes extends RouteBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(AgentApiRoutes.class);
    private final AgentViews agents;

    public AgentApiRoutes(AgentViews agents) {
        this.agents = agents;
    }

    @Override
    public void configure() {
        onException(Exception.class).handled(true).process(ex -> {
            Exception e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
            LOG.error("request failed: {}", e.toString(), e);
            respond(ex, 500, "application/problem+json", Json.write(Json.object().put("type", "about:blank")
                    .put("title", "Internal Server Error").put("status", 500)
                    .put("detail", "the request failed: " + e.getMessage())));
        });
        rest("/agents").description("Agents: registry, health, instances, tickets in flight, queues")
                .get().produces("application/json").to("direct:api-agents");
        from("direct:api-agents").routeId("api-agents")
                .process(ex -> respond(ex, 200, "application/json", Json.write(agents.list())));
    }

    private static void respond(Exchange ex, int status, String type, String body) {
        var msg = ex.getMessage();
        msg.removeHeaders("*");
        msg.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        msg.setHeader(Exchange.CONTENT_TYPE, type);
        msg.setBody(body);
    }
}
