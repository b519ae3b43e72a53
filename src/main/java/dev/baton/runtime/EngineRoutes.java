package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.compile.Endpoints;
import dev.baton.pipeline.Json;
import dev.baton.ticket.Rows.Outgoing;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.jms.JmsEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's own routes: agent replies in, coordinator messages (leases, approval timeouts) in, decisions in,
 * schedule ticks in, webhook attempts, and the outbox sweep. Every inbound message is consumed in a JMS transaction
 * that commits only after its DB transaction has.
 */
public final class EngineRoutes extends RouteBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(EngineRoutes.class);
    private static final Duration SWEEP_AGE = Duration.ofSeconds(10);
    private static final Duration INBOX_KEEP = Duration.ofDays(2);
    /** Exchange property: a reply's body as it was consumed, before it was read into an {@link AgentReply}. */
    private static final String ORIGINAL_BODY = "BatonOriginalBody";

    private final RunEngine engine;
    private final Scheduler scheduler;
    private final Webhooks webhooks;
    private final OutboxRelay relay;
    private final Faults faults;
    private final Options options;
    private final AtomicBoolean firstSweep = new AtomicBoolean(true);

    /**
     * How the engine consumes.
     *
     * @param consumers consumers of {@code baton.results}
     * @param batonUser Baton's own broker user, whose replies (the demo agents') may answer any ticket
     * @param maxOutputBytes the largest reply body applied as sent; a larger one fails its attempt
     */
    public record Options(int consumers, String batonUser, int maxOutputBytes) {}

    public EngineRoutes(
            RunEngine engine,
            Scheduler scheduler,
            Webhooks webhooks,
            OutboxRelay relay,
            Faults faults,
            Options options) {
        this.options = options;
        this.engine = engine;
        this.scheduler = scheduler;
        this.webhooks = webhooks;
        this.relay = relay;
        this.faults = faults;
    }

    @Override
    public void configure() {
        errorHandler(defaultErrorHandler().logStackTrace(false).logExhaustedMessageHistory(false));

        // A message that can never be applied is parked on the DLQ with the reason, in the consumer's own JMS
        // transaction (atomic with the acknowledgement). Anything else (a database outage, a lock timeout) rolls
        // back and is redelivered without limit (broker.xml), so a transient failure never dead-letters a reply.
        onException(PoisonMessageException.class)
                .handled(true)
                .process(ex -> {
                    Exception e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
                    if (ex.getProperty(ORIGINAL_BODY) != null) {
                        ex.getMessage().setBody(ex.getProperty(ORIGINAL_BODY));
                        ex.getMessage().removeHeader(Endpoints.HEADER_INBOX_ID);
                    }
                    LOG.warn("dead-lettering message {}: {}", messageId(ex), e.getMessage());
                    var msg = ex.getMessage();
                    msg.setHeader(Endpoints.HEADER_DEAD_LETTER_REASON, e.getMessage());
                    msg.setHeader(Endpoints.HEADER_DEAD_LETTER_ORIGIN, origin(ex));
                    // The producer sends a new message: without these, its original id and delivery count are lost.
                    msg.setHeader(Endpoints.HEADER_DEAD_LETTER_MESSAGE_ID, messageId(ex));
                    msg.setHeader(
                            Endpoints.HEADER_DEAD_LETTER_DELIVERY_COUNT,
                            msg.getHeader(Endpoints.HEADER_DELIVERY_COUNT, Integer.class));
                })
                .to(Endpoints.JMS + ":queue:" + Endpoints.DEAD_LETTERS);

        // Fan-out of one committed transition: e.g. a join that releases three stages sends three tickets.
        from(Endpoints.RELAY)
                .routeId(Endpoints.ROUTE_RELAY)
                .split(body())
                .stopOnException()
                .process(relay::toJms)
                .recipientList(exchangeProperty(Endpoints.PROPERTY_DESTINATION))
                .end();

        // A reply is applied in one database transaction (the policy), recorded in the inbox by Camel's idempotent
        // consumer in that same transaction, and its messages are relayed once it has committed.
        from(Endpoints.consumer(Endpoints.RESULTS, options.consumers()))
                .routeId(Endpoints.ROUTE_RESULTS)
                .process(this::readReply)
                .id("read-reply")
                .policy(engine.transaction())
                .id("transaction")
                .idempotentConsumer(header(Endpoints.HEADER_INBOX_ID), engine.inbox())
                .removeOnFailure(false)
                .id("inbox")
                .process(this::applyReply)
                .id("apply-reply")
                .end()
                .end()
                .process(this::relayReply)
                .id("relay");

        from(Endpoints.consumer(Endpoints.COORDINATOR, 2))
                .routeId(Endpoints.ROUTE_COORDINATOR)
                .process(this::onCoordinatorMessage);

        // Tickets the broker expired in their agent's queue (stage deadline): each is a timeout of its attempt.
        from(Endpoints.consumer(Endpoints.TICKETS_EXPIRED, 1))
                .routeId(Endpoints.ROUTE_TICKETS_EXPIRED)
                .process(this::onExpiredTicket);

        // A decision over JMS: applied like a REST one; the answer (or why it could not be applied) goes to
        // JMSReplyTo in the consumer's transaction, so "decision consumed" and "answer sent" commit together.
        from(Endpoints.consumer(Endpoints.APPROVALS, 1))
                .routeId(Endpoints.ROUTE_APPROVALS)
                .process(this::onDecision)
                .filter(header(Endpoints.HEADER_CAMEL_DESTINATION).isNotNull())
                .to(Endpoints.JMS + ":queue:" + Endpoints.APPROVALS)
                .end();

        // One tick at a time per instance: ticks are rare, and a tick's run must be committed before the next goes out.
        from(Endpoints.consumer(Endpoints.SCHEDULE, 1))
                .routeId(Endpoints.ROUTE_SCHEDULE)
                .process(ex -> scheduler.onTick(ex.getMessage().getBody(String.class)));

        // A POST may wait for its timeout: four consumers keep one slow webhook from holding up the others.
        from(Endpoints.consumer(Endpoints.WEBHOOKS, 4))
                .routeId(Endpoints.ROUTE_WEBHOOKS)
                .process(this::onWebhookAttempt);

        // Recovery, not a timer carrying run state: the state is in the outbox table.
        from("timer:" + Endpoints.ROUTE_OUTBOX_SWEEP + "?period=1000&delay=0")
                .routeId(Endpoints.ROUTE_OUTBOX_SWEEP)
                .process(ex -> relay.sweep(firstSweep.getAndSet(false) ? Duration.ZERO : SWEEP_AGE));

        // The inbox only has to outlive redelivery (seconds to minutes); two days is a wide margin.
        from("timer:" + Endpoints.ROUTE_INBOX_PRUNE + "?period=3600000&delay=60000")
                .routeId(Endpoints.ROUTE_INBOX_PRUNE)
                .process(ex -> engine.pruneInbox(INBOX_KEEP));
    }

    /** Reads and checks a reply: its body becomes the {@link AgentReply}, its inbox id a header. */
    private void readReply(Exchange ex) {
        String body = text(ex);
        if (body == null) {
            throw new PoisonMessageException("reply has no text body");
        }
        AgentReply reply =
                AgentReply.parse(body, ex.getMessage().getHeader("JMSCorrelationID", String.class), sender(ex));
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
        ex.getMessage().setHeader(Endpoints.HEADER_INBOX_ID, messageId(ex));
        ex.setProperty(ORIGINAL_BODY, ex.getMessage().getBody()); // a dead letter carries what was sent
        ex.getMessage().setBody(reply);
    }

    /** Applies a reply the inbox has not seen; its messages become the body. */
    private void applyReply(Exchange ex) {
        AgentReply reply = ex.getMessage().getBody(AgentReply.class);
        String id = ex.getMessage().getHeader(Endpoints.HEADER_INBOX_ID, String.class);
        List<Outgoing> out = engine.applyReply(id, reply);
        LOG.debug(
                "reply {} ticket {} attempt {} {}: {} message(s) out",
                id,
                reply.ticketId(),
                reply.attempt(),
                reply.kind(),
                out.size());
        ex.getMessage().setBody(out);
    }

    /** Once the transaction has committed: the reply's messages go out (none for a duplicate). */
    private void relayReply(Exchange ex) {
        if (ex.getMessage().getBody() instanceof List<?> out) {
            @SuppressWarnings("unchecked")
            List<Outgoing> messages = (List<Outgoing>) out;
            applied(messages);
        } else {
            LOG.debug("reply {} was applied before: ignored", ex.getMessage().getHeader(Endpoints.HEADER_INBOX_ID));
        }
        faults.pass(Faults.BEFORE_ACK);
    }

    private void onCoordinatorMessage(Exchange ex) {
        JsonNode msg = json(ex, "coordinator message");
        String type = msg.path("type").asText();
        String ticketId = msg.path("ticketId").asText();
        switch (type) {
            case "lease" ->
                applied(engine.onLease(
                        messageId(ex), ticketId, msg.path("attempt").asInt()));
            case AgentHealth.INSTANCE_DOWN_MESSAGE ->
                applied(engine.onInstanceDown(
                        messageId(ex),
                        ticketId,
                        msg.path("attempt").asInt(),
                        msg.path("instance").asText(),
                        msg.path("lastHeartbeat").asText()));
            case ApprovalSteps.TIMEOUT_MESSAGE ->
                applied(engine.onApprovalTimeout(
                        messageId(ex), ticketId, msg.path("attempt").asInt()));
            default -> throw new PoisonMessageException("unknown coordinator message type '" + type + "'");
        }
    }

    private void onExpiredTicket(Exchange ex) {
        JsonNode ticket = json(ex, "expired ticket");
        if (!ticket.path("ticketId").isTextual() || !ticket.path("attempt").canConvertToInt()) {
            throw new PoisonMessageException("expired message is not a ticket (no ticketId and attempt)");
        }
        String ticketId = ticket.path("ticketId").asText();
        int attempt = ticket.path("attempt").asInt();
        List<Outgoing> out = engine.onExpired(messageId(ex), ticketId, attempt);
        LOG.debug("ticket {} attempt {} expired in its queue: {} message(s) out", ticketId, attempt, out.size());
        applied(out);
    }

    private void onDecision(Exchange ex) {
        var in = ex.getMessage();
        Object replyTo = in.getHeader("JMSReplyTo");
        String correlation = in.getHeader("JMSCorrelationID", String.class);
        String id = in.getHeader("JMSMessageID", String.class);
        com.fasterxml.jackson.databind.node.ObjectNode answer = Json.object();
        try {
            JsonNode body = Json.parse(text(ex));
            // The broker-validated sender decides; only Baton's own broker user (a trusted integration, the
            // demo) names the approver in the body.
            String validated = sender(ex);
            DecisionRequest request = DecisionRequest.parse(body, true, validated == null);
            String runId = body.path("runId").asText(null);
            String stage = body.path("stage").asText(null);
            if (runId == null || stage == null) {
                throw new IllegalArgumentException("runId and stage are required");
            }
            if (validated != null
                    && request.approver() != null
                    && !request.approver().equals(validated)) {
                throw new IllegalArgumentException("approver '" + request.approver() + "' is not the sender: the "
                        + "decision is made by the broker user '" + validated + "'; leave approver out");
            }
            String approver = validated != null ? validated : request.approver();
            // No inbox here: a decision is idempotent per approver, so a redelivery is answered REPEATED.
            RunEngine.Decision d = engine.decide(runId, stage, approver, request.approve(), request.comment());
            applied(d.outgoing());
            ApprovalOutcome o = d.outcome();
            answer.put("runId", runId)
                    .put("stage", stage)
                    .put("verdict", o.verdict().name())
                    .put("status", o.status().name())
                    .put("refusal", o.refusal())
                    .put("outcome", o.outcome());
            answer.set("decisions", o.decisions());
        } catch (IllegalArgumentException | RefusedException | PoisonMessageException e) {
            if (replyTo == null) {
                throw new PoisonMessageException("decision cannot be applied: " + e.getMessage());
            }
            answer.put("verdict", "INVALID").put("error", e.getMessage());
        }
        in.removeHeaders("*");
        if (replyTo != null) {
            in.setHeader(Endpoints.HEADER_CAMEL_DESTINATION, replyTo);
            in.setHeader("JMSCorrelationID", correlation != null ? correlation : id);
            in.setBody(Json.write(answer));
        }
    }

    private void onWebhookAttempt(Exchange ex) {
        JsonNode msg = json(ex, "webhook message");
        if (!msg.path("deliveryId").isTextual() || !msg.path("attempt").canConvertToInt()) {
            throw new PoisonMessageException("webhook message needs deliveryId and attempt");
        }
        applied(webhooks.attempt(
                msg.path("deliveryId").asText(), msg.path("attempt").asInt()));
    }

    /** The agent's broker user that sent the message; null for Baton's own user (see {@link BrokerSender}). */
    private String sender(Exchange ex) {
        return BrokerSender.of(ex, options.batonUser());
    }

    /** The message's JSON body; a body that is not JSON can never be applied. */
    private static JsonNode json(Exchange ex, String what) {
        try {
            return Json.parse(text(ex));
        } catch (IllegalArgumentException e) {
            throw new PoisonMessageException(what + " is not JSON: " + e.getMessage());
        }
    }

    /**
     * The body as text. A JMS TextMessage is text already; a BytesMessage (what Artemis makes of a STOMP SEND with
     * content-length, or an AMQP data section) must be valid UTF-8, the protocol's encoding, whatever the JVM's
     * default charset is, or the message can never be applied.
     */
    static String text(Exchange ex) {
        Object body = ex.getMessage().getBody();
        if (!(body instanceof byte[] bytes)) {
            return ex.getMessage().getBody(String.class);
        }
        try {
            return dev.baton.pipeline.StrictJson.utf8(bytes);
        } catch (IllegalArgumentException e) {
            throw new PoisonMessageException("the body is " + e.getMessage());
        }
    }

    private void applied(List<Outgoing> outgoing) {
        faults.pass(Faults.AFTER_DB_COMMIT);
        relay.send(outgoing);
    }

    /** The queue a message was consumed from, by name (the endpoint URI would carry every consumer option). */
    private static String origin(Exchange ex) {
        return ex.getFromEndpoint() instanceof JmsEndpoint jms
                ? jms.getDestinationName()
                : ex.getFromEndpoint().getEndpointUri();
    }

    /**
     * The id the inbox deduplicates on: the JMS message id, which a redelivery keeps, or for a STOMP message the
     * broker's id of it (two identical progress reports are two messages: each renews the lease). A producer may
     * disable message ids (AMQP clients may send none); then the reply's own identity stands in for it.
     */
    private static String messageId(Exchange ex) {
        String id = ex.getMessage().getHeader("JMSMessageID", String.class);
        if (id != null && !id.isBlank()) {
            return id;
        }
        String stomp = ex.getMessage().getHeader(Endpoints.HEADER_STOMP_MESSAGE_ID, String.class);
        if (stomp != null && !stomp.isBlank()) {
            return stomp;
        }
        String body;
        try {
            body = text(ex);
        } catch (PoisonMessageException e) { // bytes that are not UTF-8 still identify the message
            body = new String((byte[]) ex.getMessage().getBody(), java.nio.charset.StandardCharsets.ISO_8859_1);
        }
        return "sha256:" + dev.baton.pipeline.Json.sha256(body == null ? "" : body);
    }
}
