package dev.baton.agent;

import dev.baton.compile.Endpoints;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import java.time.Duration;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.jms.management.JMSManagementHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the broker enforce an agent's {@code maxConcurrency}: its queue {@code baton.agent.<name>} is created (or
 * updated) with {@code max-consumers} = N through Artemis' management address, so it works the same on the
 * embedded broker and on an external one. The broker then refuses consumer N + 1; with consumers that hold one
 * message at a time ({@code consumerWindowSize=0}) at most N tickets of the agent are in flight.
 */
public final class QueueLimits {
    private static final Logger LOG = LoggerFactory.getLogger(QueueLimits.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final ConnectionFactory connections;

    public QueueLimits(ConnectionFactory connections) {
        this.connections = connections;
    }

    /**
     * Sets {@code max-consumers} of the agent's queue, creating the queue when it does not exist yet.
     *
     * @return null when the broker applied it, else why not (e.g. more consumers are attached than the new limit)
     */
    public String apply(String agent, int maxConsumers) {
        String queue = Endpoints.agentQueue(agent);
        String json = QueueConfiguration.of(queue)
                .setAddress(queue)
                .setRoutingType(RoutingType.ANYCAST)
                .setDurable(true)
                .setMaxConsumers(maxConsumers)
                .toJSON();
        try (Connection c = connections.createConnection()) {
            c.start();
            Session session = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            // create when missing, then update: a queue that exists (made by an earlier run, by hand, or
            // auto-created by the first ticket) keeps its messages and gets the new limit
            String refused = invoke(session, "createQueue", json, true);
            if (refused == null) {
                refused = invoke(session, "updateQueue", json);
            }
            if (refused != null) {
                LOG.warn(
                        "agent '{}': the broker did not set max-consumers={} on {}: {}",
                        agent,
                        maxConsumers,
                        queue,
                        refused);
            } else {
                LOG.info("agent '{}': {} admits at most {} consumer(s) (maxConcurrency)", agent, queue, maxConsumers);
            }
            return refused;
        } catch (Exception e) {
            LOG.warn("agent '{}': cannot set max-consumers on {}: {}", agent, queue, e.toString());
            return e.toString();
        }
    }

    /** Invokes a broker operation; null on success, else the broker's answer. */
    private static String invoke(Session session, String operation, Object... args) throws Exception {
        TemporaryQueue replies = session.createTemporaryQueue();
        try (MessageConsumer consumer = session.createConsumer(replies);
                MessageProducer producer = session.createProducer(session.createQueue(Endpoints.MANAGEMENT))) {
            Message m = session.createMessage();
            JMSManagementHelper.putOperationInvocation(m, Endpoints.MANAGED_BROKER, operation, args);
            m.setJMSReplyTo(replies);
            producer.send(m);
            Message reply = consumer.receive(TIMEOUT.toMillis());
            if (reply == null) {
                return "no answer from the broker's management address within " + TIMEOUT.toSeconds() + " s";
            }
            return JMSManagementHelper.hasOperationSucceeded(reply)
                    ? null
                    : String.valueOf(JMSManagementHelper.getResult(reply));
        } finally {
            replies.delete();
        }
    }
}
