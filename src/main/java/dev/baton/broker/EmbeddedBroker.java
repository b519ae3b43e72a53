package dev.baton.broker;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;

/**
 * The Artemis broker embedded in the Baton process, configured by {@code broker/broker.xml}, with logins from
 * {@link BrokerAccess}.
 */
public final class EmbeddedBroker implements AutoCloseable {
    private final EmbeddedActiveMQ broker;

    private EmbeddedBroker(EmbeddedActiveMQ broker) {
        this.broker = broker;
    }

    /** The ports of the broker's acceptors: Core (JMS clients, Baton's own processes), STOMP and AMQP 1.0. */
    public record Ports(int core, int stomp, int amqp) {}

    /**
     * Starts the broker. broker.xml reads its ports and paths from {@code ${baton.broker.*}} system properties,
     * so they are set first.
     */
    public static EmbeddedBroker start(Path brokerXml, Path dataDir, Ports ports, BrokerAccess access)
            throws Exception {
        if (!Files.exists(brokerXml)) {
            throw new IllegalArgumentException("baton.broker.config: " + brokerXml + " does not exist");
        }
        System.setProperty("baton.broker.port", Integer.toString(ports.core()));
        System.setProperty("baton.broker.stomp.port", Integer.toString(ports.stomp()));
        System.setProperty("baton.broker.amqp.port", Integer.toString(ports.amqp()));
        System.setProperty("baton.broker.dir", dataDir.resolve("broker").toAbsolutePath().toString());
        EmbeddedActiveMQ broker = new EmbeddedActiveMQ();
        broker.setConfigResourcePath(brokerXml.toAbsolutePath().toUri().toString());
        broker.setSecurityManager(BrokerLogins.securityManager(access));
        broker.start();
        return new EmbeddedBroker(broker);
    }

    /** Lets agent {@code agent}'s broker user consume its own queue; see {@link BrokerAccess#allowAgent}. */
    public void allowAgent(String agent) {
        BrokerAccess.allowAgent(broker.getActiveMQServer(), agent);
    }

    /** The running server, for tests that look at what it exposes. */
    public ActiveMQServer server() {
        return broker.getActiveMQServer();
    }

    @Override
    public void close() throws Exception {
        broker.stop();
    }
}
