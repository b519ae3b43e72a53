package dev.baton.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.compile.Endpoints;
import dev.baton.pipeline.Json;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@code llm} or {@code http} agent as a Camel route: consumes its queue with {@code concurrency} consumers, calls
 * the service and replies on {@code baton.results} by the normal protocol, in the consumer's JMS transaction, so
 * leases, retries and fencing apply as to any agent. Every failure becomes a {@code failed} reply; nothing is thrown
 * back to the broker, which would redeliver the ticket behind the engine's back.
 */
public final class ServiceAgentRoutes extends RouteBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceAgentRoutes.class);
    private final String name;
    private final ServiceAgent agent;
    private final int concurrency;

    public ServiceAgentRoutes(String name, ServiceAgent agent, int concurrency) {
        this.name = name;
        this.agent = agent;
        this.concurrency = concurrency;
    }

    @Override
    public void configure() {
        from(Endpoints.consumer(Endpoints.agentQueue(name), concurrency))
                .routeId(Endpoints.serviceAgentRoute(name))
                .convertBodyTo(String.class)
                .setProperty("ticket", body())
                // Sent at once, outside the consumer's transaction: the ticket shows RUNNING while the call lasts.
                .process(ex -> reply(ex, started(ticket(ex))))
                .to(Endpoints.producer("queue:" + Endpoints.RESULTS))
                .process(ex -> reply(ex, outcome(ticket(ex))))
                .to(Endpoints.JMS + ":queue:" + Endpoints.RESULTS);
    }

    /** The final reply for a ticket: its output, or the failure the agent mapped. */
    ObjectNode outcome(JsonNode ticket) {
        ObjectNode reply = Json.object().put("ticketId", ticket.path("ticketId").asText())
                .put("attempt", ticket.path("attempt").asInt(1));
        try {
            AgentResult result = agent.handle(ticket);
            reply.put("status", "succeeded").set("output", result.output());
            if (result.usage() != null) reply.set("usage", result.usage());
        } catch (AgentFailure f) {
            LOG.info("ticket {} attempt {}: {} ({})", ticket.path("ticketId").asText(), ticket.path("attempt").asInt(1),
                    f.getMessage(), f.retryable() ? "retryable" : "permanent");
            reply.put("status", "failed").set("error",
                    Json.object().put("message", f.getMessage()).put("retryable", f.retryable()));
            if (f.usage() != null) reply.set("usage", f.usage());
        } catch (RuntimeException e) {
            LOG.warn("agent '{}' failed on ticket {}", name, ticket.path("ticketId").asText(), e);
            reply.put("status", "failed").set("error", Json.object()
                    .put("message", "agent '" + name + "' failed: " + e.getClass().getSimpleName())
                    .put("retryable", true));
        }
        return reply;
    }

    private static ObjectNode started(JsonNode ticket) {
        return Json.object().put("ticketId", ticket.path("ticketId").asText())
                .put("attempt", ticket.path("attempt").asInt(1)).put("status", "progress").put("percent", 0)
                .put("message", "started");
    }

    private static JsonNode ticket(Exchange ex) {
        return Json.parse(ex.getProperty("ticket", String.class));
    }

    private static void reply(Exchange ex, ObjectNode body) {
        var msg = ex.getMessage();
        msg.removeHeaders("*");
        msg.setBody(Json.write(body));
        msg.setHeader("JMSCorrelationID", body.path("ticketId").asText());
    }
}
