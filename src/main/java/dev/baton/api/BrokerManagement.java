package dev.baton.api;

import dev.baton.compile.Endpoints;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import java.time.Duration;
import java.util.Optional;
import org.apache.activemq.artemis.api.jms.management.JMSManagementHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads attributes and invokes operations of the broker through Artemis' management address, over a JMS session
 * Baton already has: it works the same on the embedded broker and on an external one, with no JMX and no extra
 * dependency.
 */
final class BrokerManagement {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerManagement.class);

    private final Session session;
    private final Duration timeout;

    /** @param session a session of a started connection; the caller owns and closes it */
    BrokerManagement(Session session, Duration timeout) {
        this.session = session;
        this.timeout = timeout;
    }

    /** An attribute, e.g. {@code ("queue.baton.DLQ", "messageCount")}; empty when the broker refuses or is silent. */
    Optional<Object> attribute(String resource, String attribute) {
        return request(resource + "." + attribute, m -> JMSManagementHelper.putAttribute(m, resource, attribute));
    }

    /** An operation, e.g. {@code ("broker", "getAddressSettingsAsJSON", "baton.results")}; empty as for attributes. */
    Optional<Object> invoke(String resource, String operation, Object... args) {
        return request(
                resource + "." + operation,
                m -> JMSManagementHelper.putOperationInvocation(m, resource, operation, args));
    }

    private interface Request {
        void fill(Message m) throws Exception;
    }

    /**
     * Never throws: what management adds is optional (a depth, a max-delivery-attempts), and a broker that denies
     * the {@code manage} permission must not break the caller.
     */
    private Optional<Object> request(String what, Request fill) {
        TemporaryQueue replies = null;
        try {
            replies = session.createTemporaryQueue();
            try (MessageConsumer consumer = session.createConsumer(replies);
                    MessageProducer producer = session.createProducer(session.createQueue(Endpoints.MANAGEMENT))) {
                Message m = session.createMessage();
                fill.fill(m);
                m.setJMSReplyTo(replies);
                producer.send(m);
                Message reply = consumer.receive(timeout.toMillis());
                if (reply == null) {
                    LOG.debug("management {}: no answer within {}", what, timeout);
                    return Optional.empty();
                }
                if (!JMSManagementHelper.hasOperationSucceeded(reply)) {
                    LOG.debug("management {} refused: {}", what, JMSManagementHelper.getResult(reply));
                    return Optional.empty();
                }
                return Optional.ofNullable(JMSManagementHelper.getResult(reply));
            }
        } catch (Exception e) {
            LOG.debug("management {} failed: {}", what, e.toString());
            return Optional.empty();
        } finally {
            if (replies != null) {
                try {
                    replies.delete();
                } catch (Exception e) {
                    LOG.debug("deleting the management reply queue: {}", e.toString());
                }
            }
        }
    }
}
