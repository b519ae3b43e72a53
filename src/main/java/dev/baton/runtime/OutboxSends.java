package dev.baton.runtime;

import dev.baton.compile.Endpoints;
import dev.baton.ticket.Rows.Outgoing;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.time.Clock;
import java.util.List;
import org.springframework.jms.core.JmsTemplate;
import org.springframework.jms.support.destination.DestinationResolver;

/**
 * Sends outbox messages to their queues and topics as persistent JMS messages, all of one call through one session
 * and one producer: inside the relay's JMS transaction that session is the transaction's, so the messages commit
 * together; outside one, each send is acknowledged by the broker before the next. Each message carries its
 * duplicate-detection id, priority, correlation id, reply-to, scheduled delivery and expiry.
 */
public final class OutboxSends {
    private final JmsTemplate jms;
    private final Clock clock;
    private final OutboxRelay.Batch batch;
    private final DestinationResolver destinations;

    /**
     * @param jms over the relay's connection factory, whose transaction it joins when there is one
     * @param batch runs sends in one JMS transaction of that connection factory
     * @param destinations turns the names of queues and topics into destinations
     */
    public OutboxSends(JmsTemplate jms, Clock clock, OutboxRelay.Batch batch, DestinationResolver destinations) {
        this.jms = jms;
        this.clock = clock;
        this.batch = batch;
        this.destinations = destinations;
    }

    /** How it makes one transaction of several sends. */
    public OutboxRelay.Batch batch() {
        return batch;
    }

    /** Sends the {@code List<Outgoing>} body of a relay route's exchange. */
    void send(org.apache.camel.Exchange ex) {
        @SuppressWarnings("unchecked")
        List<Outgoing> messages = ex.getMessage().getBody(List.class);
        send(messages);
    }

    /** Sends the messages in order; the first that fails fails the call. */
    public void send(List<Outgoing> messages) {
        if (messages.isEmpty()) {
            return;
        }
        jms.execute(
                session -> {
                    try (MessageProducer producer = session.createProducer(null)) {
                        for (Outgoing m : messages) {
                            send(session, producer, m);
                        }
                    }
                    return null;
                },
                false); // sending needs no started connection
    }

    private void send(Session session, MessageProducer producer, Outgoing m) throws JMSException {
        Message out = session.createTextMessage(m.body());
        out.setStringProperty(Endpoints.HEADER_DUPLICATE_ID, m.id());
        if (m.correlationId() != null) out.setJMSCorrelationID(m.correlationId());
        if (m.replyTo() != null) out.setJMSReplyTo(destinations.resolveDestinationName(session, m.replyTo(), false));
        long now = clock.millis();
        if (m.deliverAt() > now) out.setLongProperty(Endpoints.HEADER_SCHEDULED, m.deliverAt());
        // An expiry already past still expires the message (at once) rather than making it live for ever.
        long timeToLive = m.expiresAt() > 0 ? Math.max(1, m.expiresAt() - now) : Message.DEFAULT_TIME_TO_LIVE;
        producer.send(destination(session, m.destination()), out, DeliveryMode.PERSISTENT, m.priority(), timeToLive);
    }

    /** {@code queue:<name>} or {@code topic:<name>}, as {@link Endpoints#queue} and {@link Endpoints#topic} write them. */
    private Destination destination(Session session, String destination) throws JMSException {
        if (destination.startsWith(Endpoints.QUEUE_PREFIX)) {
            return destinations.resolveDestinationName(
                    session, destination.substring(Endpoints.QUEUE_PREFIX.length()), false);
        }
        if (destination.startsWith(Endpoints.TOPIC_PREFIX)) {
            return destinations.resolveDestinationName(
                    session, destination.substring(Endpoints.TOPIC_PREFIX.length()), true);
        }
        throw new IllegalArgumentException("an outbox destination is queue:<name> or topic:<name>, not " + destination);
    }
}
