package dev.baton.broker;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;

/** The Artemis broker embedded in the Baton process, configured by {@code broker/broker.xml}. */
public final class EmbeddedBroker implements AutoCloseable {
    private final EmbeddedActiveMQ broker;

    private EmbeddedBroker(EmbeddedActiveMQ broker) {
        this.broker = broker;
    }

    /**
     * Starts the broker. broker.xml reads its ports and paths from {@code ${baton.broker.*}} system properties,
     * so they are set first.
     */
    public static EmbeddedBroker start(Path brokerXml, Path dataDir, int port) throws Exception {
        if (!Files.exists(brokerXml)) {
            throw new IllegalArgumentException("baton.broker.config: " + brokerXml + " does not exist");
        }
        System.setProperty("baton.broker.port", Integer.toString(port));
        System.setProperty("baton.broker.dir", dataDir.resolve("broker").toAbsolutePath().toString());
        EmbeddedActiveMQ broker = new EmbeddedActiveMQ();
        broker.setConfigResourcePath(brokerXml.toAbsolutePath().toUri().toString());
        broker.start();
        return new EmbeddedBroker(broker);
    }

    @Override
    public void close() throws Exception {
        broker.stop();
    }
}
