package dev.baton.runtime;

import dev.baton.compile.Endpoints;
import dev.baton.ticket.Rows.Outgoing;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Agent replies in: the results route reads and checks each reply and hands it to its run's lane ({@link ReplyLanes}),
 * which applies the replies waiting there through the apply route in one database transaction (Camel's idempotent
 * consumer over the inbox table, then the transition), relays what they emitted, and lets each consumer acknowledge its
 * message only then.
 */
public final class ResultRoutes extends RouteBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(ResultRoutes.class);
    private static final String APPLY = Endpoints.direct(Endpoints.ROUTE_RESULTS_APPLY);

    private final RunEngine engine;
    private final OutboxRelay relay;
    private final Faults faults;
    private final EngineRoutes.Options options;
    private ReplyLanes lanes;

    public ResultRoutes(RunEngine engine, OutboxRelay relay, Faults faults, EngineRoutes.Options options) {
        this.engine = engine;
        this.relay = relay;
        this.faults = faults;
        this.options = options;
    }

    @Override
    public void configure() {
        InboundMessages.parkPoison(this);
        ProducerTemplate template = getContext().createProducerTemplate();
        lanes = new ReplyLanes(options.lanes(), engine.tx(), reply -> applyInBatch(template, reply), this::applied);

        from(Endpoints.consumer(Endpoints.RESULTS, options.consumers()))
                .routeId(Endpoints.ROUTE_RESULTS)
                .process(this::readReply)
                .id("read-reply")
                .process(ex -> {
                    String run = engine.runOfTicket(ex.getMessage().getBody(AgentReply.class));
                    ex.getMessage().setHeader(Endpoints.HEADER_RUN_ID, run);
                    lanes.apply(ex, run);
                })
                .id("apply-in-lane")
                .process(ex -> faults.pass(Faults.BEFORE_ACK))
                .id("acknowledge");

        // Called by a lane inside the transaction of its batch: a failure is left on the exchange for the lane, which
        // then applies each reply of the batch on its own.
        from(APPLY)
                .routeId(Endpoints.ROUTE_RESULTS_APPLY)
                .errorHandler(noErrorHandler())
                .policy(engine.transaction())
                .id("transaction")
                .idempotentConsumer(header(Endpoints.HEADER_INBOX_ID), engine.inbox())
                .removeOnFailure(false)
                .id("inbox")
                .process(this::applyReply)
                .id("apply-reply")
                .end()
                .end();
    }

    /** Reads and checks a reply: its body becomes the {@link AgentReply}, its inbox id a header. */
    private void readReply(Exchange ex) {
        String body = InboundMessages.text(ex);
        if (body == null) {
            throw new PoisonMessageException("reply has no text body");
        }
        AgentReply reply = AgentReply.parse(
                body,
                ex.getMessage().getHeader("JMSCorrelationID", String.class),
                BrokerSender.of(ex, options.batonUser()));
        long bytes = body.length() <= options.maxOutputBytes() / 3 ? 0 : AgentReply.utf8Bytes(body);
        if (bytes > options.maxOutputBytes()) {
            // Stored, a 10 MB output made GET /api/runs/{id} 63 MB and the H2 file 440 MB: the attempt fails instead.
            LOG.warn(
                    "reply for ticket {} attempt {} is {} bytes, above baton.agents.max-output-size ({}): the attempt "
                            + "fails",
                    reply.ticketId(),
                    reply.attempt(),
                    bytes,
                    options.maxOutputBytes());
            reply = reply.tooLarge(bytes, options.maxOutputBytes());
        }
        ex.getMessage().setHeader(Endpoints.HEADER_INBOX_ID, InboundMessages.messageId(ex));
        ex.setProperty(InboundMessages.ORIGINAL_BODY, ex.getMessage().getBody()); // a dead letter carries what was sent
        ex.getMessage().setBody(reply);
    }

    /**
     * One reply of a batch through the apply route, on an exchange of its own that carries what the route reads (the
     * reply, its inbox id and its run): a batch that rolls back leaves the consumer's exchange as it was read, to be
     * applied again on its own. (A copy of the consumer's exchange would carry all its JMS headers and properties, which
     * the route does not read.)
     */
    private static List<Outgoing> applyInBatch(ProducerTemplate template, Exchange reply) {
        Message read = reply.getMessage();
        Exchange done = template.send(APPLY, ex -> {
            Message m = ex.getMessage();
            m.setBody(read.getBody());
            m.setHeader(Endpoints.HEADER_INBOX_ID, read.getHeader(Endpoints.HEADER_INBOX_ID));
            m.setHeader(Endpoints.HEADER_RUN_ID, read.getHeader(Endpoints.HEADER_RUN_ID));
        });
        Exception e = done.getException();
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e != null) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        if (done.getMessage().getBody() instanceof List<?> out) {
            @SuppressWarnings("unchecked")
            List<Outgoing> messages = (List<Outgoing>) out;
            return messages;
        }
        LOG.debug("reply {} was applied before: ignored", done.getMessage().getHeader(Endpoints.HEADER_INBOX_ID));
        return List.of();
    }

    /** Applies a reply the inbox has not seen; its messages become the body. */
    private void applyReply(Exchange ex) {
        AgentReply reply = ex.getMessage().getBody(AgentReply.class);
        String id = ex.getMessage().getHeader(Endpoints.HEADER_INBOX_ID, String.class);
        List<Outgoing> out =
                engine.applyReply(id, ex.getMessage().getHeader(Endpoints.HEADER_RUN_ID, String.class), reply);
        LOG.debug(
                "reply {} ticket {} attempt {} {}: {} message(s) out",
                id,
                reply.ticketId(),
                reply.attempt(),
                reply.kind(),
                out.size());
        ex.getMessage().setBody(out);
    }

    /** Once a batch has committed: what its replies emitted goes out, before any of them is acknowledged. */
    private void applied(List<Outgoing> outgoing) {
        faults.pass(Faults.AFTER_DB_COMMIT);
        relay.send(outgoing);
    }
}
