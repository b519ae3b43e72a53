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
import org.apache.camel.model.RouteDefinition;
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
    /** Exchange properties of a coordinator message: the id its inbox records, and the end it applies. */
    private static final String INBOX_ID = "BatonInboxId";

    private static final String END = "BatonAttemptEnd";

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
    public record Options(int consumers, String batonUser, int maxOutputBytes) {
        /**
         * Lanes of replies ({@link ReplyLanes}): one per eight consumers. A batch holds at most the replies its lane's
         * consumers are waiting with, so fewer lanes make bigger batches (fewer commits per reply), more lanes apply
         * more batches at once.
         */
        int lanes() {
            return Math.max(1, (consumers + 7) / 8);
        }
    }

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
        InboundMessages.parkPoison(this);

        // What committed transitions emit (a join that releases three stages sends three tickets, and their events),
        // through one session: a Camel exchange per message cost more than the sends themselves.
        from(Endpoints.RELAY).routeId(Endpoints.ROUTE_RELAY).process(relay.sends()::send);

        // Leases, instance DOWN and approval timeouts. Like a reply, each is applied once: Camel's idempotent consumer
        // records its id in the inbox in the transaction that applies it, and a repeat changes nothing.
        once(
                "coordinator",
                from(Endpoints.consumer(Endpoints.COORDINATOR, 2))
                        .routeId(Endpoints.ROUTE_COORDINATOR)
                        .process(this::readCoordinatorMessage)
                        .id("read-coordinator-message"));

        // Tickets the broker expired in their agent's queue (stage deadline): each is a timeout of its attempt.
        once(
                "expired",
                from(Endpoints.consumer(Endpoints.TICKETS_EXPIRED, 1))
                        .routeId(Endpoints.ROUTE_TICKETS_EXPIRED)
                        .process(this::readExpiredTicket)
                        .id("read-expired-ticket"));

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
        // The rows of messages sent, deleted together rather than one transaction per transition.
        from("timer:" + Endpoints.ROUTE_OUTBOX_DELETE + "?period=200&delay=200")
                .routeId(Endpoints.ROUTE_OUTBOX_DELETE)
                .process(ex -> relay.deleteSent());

        from("timer:" + Endpoints.ROUTE_OUTBOX_SWEEP + "?period=1000&delay=0")
                .routeId(Endpoints.ROUTE_OUTBOX_SWEEP)
                .process(ex -> relay.sweep(firstSweep.getAndSet(false) ? Duration.ZERO : SWEEP_AGE));

        // The inbox only has to outlive redelivery (seconds to minutes); two days is a wide margin.
        from("timer:" + Endpoints.ROUTE_INBOX_PRUNE + "?period=3600000&delay=60000")
                .routeId(Endpoints.ROUTE_INBOX_PRUNE)
                .process(ex -> engine.pruneInbox(INBOX_KEEP));
    }

    /**
     * The rest of a route that applies one attempt end per message: the transaction begins, the inbox records the
     * message's id (a repeat skips the end), the end is applied, and once committed its messages go out. The
     * transaction is a route of its own without an error handler, as the results' apply route is: a message that
     * fails there leaves the route's transaction by its exception, so it rolls back (the inbox row included) before
     * the consumer's error handler parks or retries the message. Inside the consumer's route, the handler would
     * dead-letter a poison message within the transaction and the transaction would then commit its inbox row.
     */
    private void once(String name, RouteDefinition route) {
        String apply = route.getRouteId() + "-apply";
        from(Endpoints.direct(apply))
                .routeId(apply)
                .errorHandler(noErrorHandler())
                .policy(engine.transaction())
                .id(name + "-transaction")
                .idempotentConsumer(exchangeProperty(INBOX_ID), engine.inbox())
                .removeOnFailure(false)
                .id(name + "-inbox")
                .process(ex -> ex.getMessage()
                        .setBody(ex.getProperty(END, AttemptEnd.class).apply(engine.attemptEnds())))
                .id(name + "-apply-end")
                .end()
                .end();
        route.to(Endpoints.direct(apply))
                .id(name + "-apply")
                .process(ex -> applied(ex.getMessage().getBody() instanceof List<?> out ? outgoing(out) : List.of()))
                .id(name + "-relay");
    }

    @SuppressWarnings("unchecked")
    private static List<Outgoing> outgoing(List<?> out) {
        return (List<Outgoing>) out;
    }

    /** One attempt end, read from its message before the transaction begins. */
    @FunctionalInterface
    private interface AttemptEnd {
        List<Outgoing> apply(AttemptEnds ends);
    }

    private void readCoordinatorMessage(Exchange ex) {
        JsonNode msg = InboundMessages.json(ex, "coordinator message");
        String type = msg.path("type").asText();
        String ticketId = msg.path("ticketId").asText();
        int attempt = msg.path("attempt").asInt();
        AttemptEnd end = switch (type) {
            case "lease" -> ends -> ends.onLease(ticketId, attempt);
            case AgentHealth.INSTANCE_DOWN_MESSAGE -> {
                String instance = msg.path("instance").asText();
                String lastHeartbeat = msg.path("lastHeartbeat").asText();
                yield ends -> ends.onInstanceDown(ticketId, attempt, instance, lastHeartbeat);
            }
            case ApprovalSteps.TIMEOUT_MESSAGE -> ends -> ends.onApprovalTimeout(ticketId, attempt);
            default -> throw new PoisonMessageException("unknown coordinator message type '" + type + "'");
        };
        ex.setProperty(INBOX_ID, InboundMessages.messageId(ex));
        ex.setProperty(END, end);
    }

    private void readExpiredTicket(Exchange ex) {
        JsonNode ticket = InboundMessages.json(ex, "expired ticket");
        if (!ticket.path("ticketId").isTextual() || !ticket.path("attempt").canConvertToInt()) {
            throw new PoisonMessageException("expired message is not a ticket (no ticketId and attempt)");
        }
        String ticketId = ticket.path("ticketId").asText();
        int attempt = ticket.path("attempt").asInt();
        ex.setProperty(INBOX_ID, InboundMessages.messageId(ex));
        ex.setProperty(END, (AttemptEnd) ends -> {
            List<Outgoing> out = ends.onExpired(ticketId, attempt);
            LOG.debug("ticket {} attempt {} expired in its queue: {} message(s) out", ticketId, attempt, out.size());
            return out;
        });
    }

    private void onDecision(Exchange ex) {
        var in = ex.getMessage();
        Object replyTo = in.getHeader("JMSReplyTo");
        String correlation = in.getHeader("JMSCorrelationID", String.class);
        String id = in.getHeader("JMSMessageID", String.class);
        com.fasterxml.jackson.databind.node.ObjectNode answer = Json.object();
        try {
            JsonNode body = Json.parse(InboundMessages.text(ex));
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
        JsonNode msg = InboundMessages.json(ex, "webhook message");
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

    private void applied(List<Outgoing> outgoing) {
        faults.pass(Faults.AFTER_DB_COMMIT);
        relay.send(outgoing);
    }
}
