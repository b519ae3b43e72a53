package dev.baton.runtime;

import dev.baton.compile.Endpoints;
import dev.baton.ticket.OutboxStore;
import dev.baton.ticket.Rows.Outgoing;
import dev.baton.ticket.Tx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands committed outbox messages to the broker, then deletes them. A crash in between leaves the rows, which the
 * sweep re-sends; the broker drops the copies by their duplicate-detection id.
 */
public final class OutboxRelay {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
    private static final int SWEEP_BATCH = 500;

    private final ProducerTemplate producer;
    private final Tx tx;
    private final OutboxStore outbox;
    private final Faults faults;
    private final Clock clock;

    public OutboxRelay(ProducerTemplate producer, Tx tx, OutboxStore outbox, Faults faults, Clock clock) {
        this.producer = producer;
        this.tx = tx;
        this.outbox = outbox;
        this.faults = faults;
        this.clock = clock;
    }

    public void send(List<Outgoing> messages) {
        if (messages.isEmpty()) {
            return;
        }
        long now = clock.millis();
        for (Outgoing m : messages) {
            Exchange result = producer.send(Endpoints.producer(m.destination()), ex -> {
                var in = ex.getMessage();
                in.setBody(m.body());
                in.setHeader(Endpoints.HEADER_DUPLICATE_ID, m.id());
                in.setHeader("JMSDeliveryMode", 2);
                in.setHeader("JMSPriority", m.priority());
                if (m.correlationId() != null) in.setHeader("JMSCorrelationID", m.correlationId());
                if (m.replyTo() != null) in.setHeader("JMSReplyTo", m.replyTo());
                if (m.deliverAt() > now) in.setHeader(Endpoints.HEADER_SCHEDULED, m.deliverAt());
                if (m.expiresAt() > 0) in.setHeader("JMSExpiration", m.expiresAt());
            });
            if (result.getException() != null) {
                throw new IllegalStateException("sending to " + m.destination() + " failed", result.getException());
            }
        }
        faults.pass(Faults.AFTER_SEND);
        tx.run(c -> {
            outbox.delete(c, messages.stream().map(Outgoing::id).toList());
            return null;
        });
    }

    /** Sends rows older than {@code minAge}: those a crash or a failed send left behind. */
    public int sweep(Duration minAge) {
        List<Outgoing> left = tx.run(c -> outbox.pending(c, clock.instant().minus(minAge), SWEEP_BATCH));
        if (!left.isEmpty()) {
            LOG.info("outbox: re-sending {} message(s) left by an interrupted transition", left.size());
            send(left);
        }
        return left.size();
    }
}
