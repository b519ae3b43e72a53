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

    /**
     * Starts the broker. broker.xml reads its ports and paths from {@code ${baton.broker.*}} system properties,
     * so they are set first.
     */
    public static EmbeddedBroker start(Path brokerXml, Path dataDir, int port, BrokerAccess access) throws Exception {
        if (!Files.exists(brokerXml)) {
            throw new IllegalArgumentException("baton.broker.config: " + brokerXml + " does not exist");
        }
        System.setProperty("baton.broker.port", Integer.toString(port));
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
