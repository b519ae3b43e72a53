package dev.baton.broker;

import dev.baton.config.BatonSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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
     * Starts the broker. broker.xml reads its ports, paths and {@code xmlProperties} (journal, disk) from
     * {@code ${baton.broker.*}} system properties, so they are set first.
     */
    public static EmbeddedBroker start(BatonSettings.BrokerSettings settings, Path dataDir) throws Exception {
        Path brokerXml = settings.brokerXml();
        Ports ports = settings.ports();
        Map<String, String> xmlProperties = settings.xmlProperties();
        if (!Files.exists(brokerXml)) {
            throw new IllegalArgumentException("baton.broker.config: " + brokerXml + " does not exist");
        }
        System.setProperty("baton.broker.port", Integer.toString(ports.core()));
        System.setProperty("baton.broker.stomp.port", Integer.toString(ports.stomp()));
        System.setProperty("baton.broker.amqp.port", Integer.toString(ports.amqp()));
        System.setProperty("baton.broker.dir", dataDir.resolve("broker").toAbsolutePath().toString());
        // From config/application.properties or -D, only while broker.xml is read: a later load of Baton's settings
        // in this JVM must not take them for a -D of its own.
        Map<String, String> before = new java.util.HashMap<>();
        for (String k : BatonSettings.BrokerSettings.XML_PROPERTIES) {
            before.put(k, System.getProperty(k));
            if (xmlProperties.containsKey(k)) System.setProperty(k, xmlProperties.get(k));
            else System.clearProperty(k);
        }
        EmbeddedActiveMQ broker = new EmbeddedActiveMQ();
        broker.setConfigResourcePath(brokerXml.toAbsolutePath().toUri().toString());
        broker.setSecurityManager(BrokerLogins.securityManager(
                new BrokerAccess(settings.user(), settings.password(), settings.usersFile(), settings.rolesFile())));
        try {
            broker.start();
        } finally {
            before.forEach((k, v) -> {
                if (v == null) System.clearProperty(k);
                else System.setProperty(k, v);
            });
        }
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
