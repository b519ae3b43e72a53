package dev.baton.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.baton.agent.protocol.Reply;
import dev.baton.agent.protocol.Ticket;
import dev.baton.compile.Endpoints;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
        ScheduledExecutorService timer = getContext()
                .getExecutorServiceManager()
                .newSingleThreadScheduledExecutor(this, "baton-agent-" + name + "-progress");
        ProducerTemplate progress = getContext().createProducerTemplate();
        from(Endpoints.agentConsumer(name, concurrency))
                .routeId(Endpoints.serviceAgentRoute(name))
                .convertBodyTo(String.class)
                .process(ex -> {
                    Ticket ticket = Ticket.parse(ex.getMessage().getBody(String.class));
                    // A call that lasts reports progress, sent at once outside the consumer's transaction, so the
                    // ticket shows RUNNING meanwhile. Not sent for quick calls: a progress reply that the engine
                    // happened to take after the final one would only be refused.
                    ScheduledFuture<?> running = timer.schedule(
                            () -> started(progress, ticket), PROGRESS_AFTER.toMillis(), TimeUnit.MILLISECONDS);
                    try {
                        reply(ex, outcome(ticket));
                    } finally {
                        running.cancel(false);
                    }
                })
                .to(Endpoints.agentReplies());
    }

    /** The final reply for a ticket: its output, or the failure the agent mapped. */
    Reply outcome(Ticket ticket) {
        try {
            AgentResult result = agent.handle(ticket);
            return Reply.succeeded(ticket, result.output())
                    .withUsage(result.usage())
                    .withToolCalls(calls(result.toolCalls()));
        } catch (AgentFailure f) {
            LOG.info(
                    "ticket {} attempt {}: {} ({})",
                    ticket.ticketId(),
                    ticket.attempt(),
                    f.getMessage(),
                    f.retryable() ? "retryable" : "permanent");
            return Reply.failed(ticket, f.getMessage(), f.retryable())
                    .withUsage(f.usage())
                    .withToolCalls(calls(f.toolCalls()));
        } catch (RuntimeException e) {
            LOG.warn("agent '{}' failed on ticket {}", name, ticket.ticketId(), e);
            return Reply.failed(
                    ticket, "agent '" + name + "' failed: " + e.getClass().getSimpleName(), true);
        }
    }

    private static List<JsonNode> calls(ArrayNode calls) {
        List<JsonNode> out = new ArrayList<>();
        if (calls != null) calls.forEach(out::add);
        return out;
    }

    private void started(ProducerTemplate progress, Ticket ticket) {
        try {
            progress.sendBodyAndHeader(
                    Endpoints.producer(Endpoints.queue(Endpoints.RESULTS)),
                    Reply.progress(ticket, null, "calling").toJson(),
                    "JMSCorrelationID",
                    ticket.ticketId());
        } catch (RuntimeException e) {
            LOG.warn("agent '{}': progress for ticket {} not sent: {}", name, ticket.ticketId(), e.getMessage());
        }
    }

    /** Makes the exchange the reply message: its JSON body, correlated to the ticket, no other header. */
    static void reply(Exchange ex, Reply body) {
        var msg = ex.getMessage();
        msg.removeHeaders("*");
        msg.setBody(body.toJson());
        msg.setHeader("JMSCorrelationID", body.ticketId());
    }
}
