package dev.baton.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.baton.agent.protocol.Reply;
import dev.baton.agent.protocol.Ticket;
import dev.baton.compile.Endpoints;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.StrictJson;
import java.util.Collection;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.util.URISupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code camel} agent as a Camel route: consumes its queue in a JMS transaction, sends the ticket's input to the
 * configured endpoint (request/reply) and replies on {@code baton.results} with the endpoint's answer, in the same
 * transaction; an exception the endpoint throws is a failed, retryable attempt with its message.
 */
public final class CamelAgentRoutes extends RouteBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(CamelAgentRoutes.class);
    /** The exchange property that keeps the ticket while the body is the endpoint's. */
    private static final String TICKET = "batonTicket";
    /** Headers the endpoint sees, so that a route can tell tickets and attempts apart. */
    static final String TICKET_ID = "BatonTicketId";

    static final String ATTEMPT = "BatonAttempt";
    static final String STAGE = "BatonStage";

    private final String name;
    private final CamelOptions options;
    private final int concurrency;

    public CamelAgentRoutes(String name, CamelOptions options, int concurrency) {
        this.name = name;
        this.options = options;
        this.concurrency = concurrency;
    }

    @Override
    public void configure() {
        from(Endpoints.agentConsumer(name, concurrency))
                .routeId(Endpoints.camelAgentRoute(name))
                .convertBodyTo(String.class)
                .process(this::input)
                .doTry()
                .setExchangePattern(ExchangePattern.InOut)
                .to(options.uri())
                .process(this::succeeded)
                .doCatch(Exception.class)
                .process(this::failed)
                .end()
                .setExchangePattern(ExchangePattern.InOnly)
                .to(Endpoints.agentReplies());
    }

    /**
     * The ticket's input becomes the body as a plain Java value (an object a {@link Map}, an array a {@link java.util.List},
     * a string a {@link String}), which is what components take: sql named parameters, simple's {@code ${body[x]}}.
     * The broker's headers are dropped so that none of them steers the endpoint.
     */
    private void input(Exchange ex) {
        Ticket ticket = Ticket.parse(ex.getMessage().getBody(String.class));
        ex.setProperty(TICKET, ticket);
        var msg = ex.getMessage();
        msg.removeHeaders("*");
        msg.setHeader(TICKET_ID, ticket.ticketId());
        msg.setHeader(ATTEMPT, ticket.attempt());
        msg.setHeader(STAGE, ticket.stage());
        msg.setBody(Json.MAPPER.convertValue(ticket.input(), Object.class));
    }

    private void succeeded(Exchange ex) {
        Ticket ticket = ex.getProperty(TICKET, Ticket.class);
        ServiceAgentRoutes.reply(ex, Reply.succeeded(ticket, output(ex)));
    }

    private void failed(Exchange ex) {
        Exception e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String message = "agent '" + name + "' (" + URISupport.sanitizeUri(options.uri()) + "): "
                + (e == null ? "failed" : e.getClass().getSimpleName() + ": " + e.getMessage());
        Ticket ticket = ex.getProperty(TICKET, Ticket.class);
        LOG.info("ticket {} attempt {}: {}", ticket.ticketId(), ticket.attempt(), message);
        ServiceAgentRoutes.reply(ex, Reply.failed(ticket, message, true));
    }

    /** The endpoint's answer as JSON: structured values as they are, text parsed when it is JSON, else a string. */
    private static JsonNode output(Exchange ex) {
        Object body = ex.getMessage().getBody();
        if (body == null) {
            return NullNode.getInstance();
        }
        if (body instanceof Map || body instanceof Collection || body instanceof Number || body instanceof Boolean) {
            try {
                return Json.MAPPER.valueToTree(body);
            } catch (IllegalArgumentException e) {
                // a value Jackson cannot write (e.g. a driver's own type): its text below
            }
        }
        String text = ex.getMessage().getBody(String.class);
        JsonNode json = StrictJson.parseOrNull(text);
        return json != null ? json : new TextNode(text);
    }
}
