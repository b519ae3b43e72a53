package dev.baton.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.compile.Endpoints;
import dev.baton.pipeline.Json;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
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
    /** How long a call runs before the agent reports progress. */
    static final Duration PROGRESS_AFTER = Duration.ofSeconds(1);
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
        ScheduledExecutorService timer = getContext().getExecutorServiceManager()
                .newSingleThreadScheduledExecutor(this, "baton-agent-" + name + "-progress");
        ProducerTemplate progress = getContext().createProducerTemplate();
        from(Endpoints.agentConsumer(name, concurrency))
                .routeId(Endpoints.serviceAgentRoute(name))
                .convertBodyTo(String.class)
                .process(ex -> {
                    JsonNode ticket = Json.parse(ex.getMessage().getBody(String.class));
                    // A call that lasts reports progress, sent at once outside the consumer's transaction, so the
                    // ticket shows RUNNING meanwhile. Not sent for quick calls: a progress reply that the engine
                    // happened to take after the final one would only be refused.
                    ScheduledFuture<?> running = timer.schedule(() -> started(progress, ticket),
                            PROGRESS_AFTER.toMillis(), TimeUnit.MILLISECONDS);
                    try {
                        reply(ex, outcome(ticket));
                    } finally {
                        running.cancel(false);
                    }
                })
                .to(Endpoints.agentReplies());
    }

    /** The final reply for a ticket: its output, or the failure the agent mapped. */
    ObjectNode outcome(JsonNode ticket) {
        ObjectNode reply = replyTo(ticket);
        try {
            AgentResult result = agent.handle(ticket);
            reply.put("status", "succeeded").set("output", result.output());
            if (result.usage() != null) reply.set("usage", result.usage());
            if (result.toolCalls() != null && !result.toolCalls().isEmpty()) reply.set("toolCalls", result.toolCalls());
        } catch (AgentFailure f) {
            LOG.info("ticket {} attempt {}: {} ({})", ticket.path("ticketId").asText(), ticket.path("attempt").asInt(1),
                    f.getMessage(), f.retryable() ? "retryable" : "permanent");
            reply.put("status", "failed").set("error",
                    Json.object().put("message", f.getMessage()).put("retryable", f.retryable()));
            if (f.usage() != null) reply.set("usage", f.usage());
            if (f.toolCalls() != null && !f.toolCalls().isEmpty()) reply.set("toolCalls", f.toolCalls());
        } catch (RuntimeException e) {
            LOG.warn("agent '{}' failed on ticket {}", name, ticket.path("ticketId").asText(), e);
            reply.put("status", "failed").set("error", Json.object()
                    .put("message", "agent '" + name + "' failed: " + e.getClass().getSimpleName())
                    .put("retryable", true));
        }
        return reply;
    }

    private void started(ProducerTemplate progress, JsonNode ticket) {
        String ticketId = ticket.path("ticketId").asText();
        ObjectNode body = Json.object().put("ticketId", ticketId).put("attempt", ticket.path("attempt").asInt(1))
                .put("status", "progress").put("message", "calling");
        try {
            progress.sendBodyAndHeader(Endpoints.producer("queue:" + Endpoints.RESULTS), Json.write(body),
                    "JMSCorrelationID", ticketId);
        } catch (RuntimeException e) {
            LOG.warn("agent '{}': progress for ticket {} not sent: {}", name, ticketId, e.getMessage());
        }
    }

    /** The start of every reply to {@code ticket}: which ticket and attempt it answers. */
    static ObjectNode replyTo(JsonNode ticket) {
        return Json.object().put("ticketId", ticket.path("ticketId").asText())
                .put("attempt", ticket.path("attempt").asInt(1));
    }

    /** Makes the exchange the reply message: its JSON body, correlated to the ticket, no other header. */
    static void reply(Exchange ex, ObjectNode body) {
        var msg = ex.getMessage();
        msg.removeHeaders("*");
        msg.setBody(Json.write(body));
        msg.setHeader("JMSCorrelationID", body.path("ticketId").asText());
    }
}
