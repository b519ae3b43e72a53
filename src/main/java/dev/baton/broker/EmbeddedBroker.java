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
        return start(settings, dataDir, null);
    }

    /**
     * Starts the broker as one half of a replicating pair ({@code replication} not null) or alone. A backup returns
     * once it replicates: its acceptors listen only when it takes over.
     */
    public static EmbeddedBroker start(BatonSettings.BrokerSettings settings, Path dataDir, Replication replication)
            throws Exception {
        Path brokerXml = settings.brokerXml();
        Ports ports = settings.ports();
        Map<String, String> xmlProperties = settings.xmlProperties();
        if (!Files.exists(brokerXml)) {
            throw new IllegalArgumentException("baton.broker.config: " + brokerXml + " does not exist");
        }
        System.setProperty("baton.broker.port", Integer.toString(ports.core()));
        System.setProperty("baton.broker.stomp.port", Integer.toString(ports.stomp()));
        System.setProperty("baton.broker.amqp.port", Integer.toString(ports.amqp()));
        System.setProperty(
                "baton.broker.dir", dataDir.resolve("broker").toAbsolutePath().toString());
        if (replication != null) {
            System.setProperty("baton.broker.peer", replication.peer());
            System.setProperty("baton.broker.advertise", replication.advertise());
        }
        // From config/application.properties or -D, only while broker.xml is read: a later load of Baton's settings
        // in this JVM must not take them for a -D of its own.
        Map<String, String> before = new java.util.HashMap<>();
        for (String k : BatonSettings.BrokerSettings.XML_PROPERTIES) {
            before.put(k, System.getProperty(k));
            if (xmlProperties.containsKey(k)) System.setProperty(k, xmlProperties.get(k));
            else System.clearProperty(k);
        }
        // Before Artemis tries: it logs a failed bind and may go on without that acceptor, so the cause would be
        // buried under the failures that follow.
        String busy = busyPort(ports);
        if (busy != null) {
            throw new IllegalStateException(busy);
        }
        DroppedDuplicates.install();
        EmbeddedActiveMQ broker = new EmbeddedActiveMQ();
        broker.setSecurityManager(BrokerLogins.securityManager(
                new BrokerAccess(settings.user(), settings.password(), settings.usersFile(), settings.rolesFile())));
        try {
            if (replication == null) {
                broker.setConfigResourcePath(brokerXml.toAbsolutePath().toUri().toString());
            } else {
                broker.setConfiguration(replication.configure(brokerXml, settings.password()));
            }
            broker.start();
        } catch (Exception e) {
            stopQuietly(broker);
            String taken = busyPort(ports);
            if (taken != null) throw new IllegalStateException(taken, e);
            throw e;
        } finally {
            before.forEach((k, v) -> {
                if (v == null) System.clearProperty(k);
                else System.setProperty(k, v);
            });
        }
        boolean backup = replication != null && replication.role() == Replication.Role.BACKUP;
        java.util.List<String> down = backup ? java.util.List.of() : acceptorsDown(broker);
        if (!down.isEmpty()) {
            stopQuietly(broker);
            String taken = busyPort(ports);
            throw new IllegalStateException(
                    taken != null
                            ? taken
                            : "the embedded broker started without its acceptors " + down
                                    + "; see the broker's log above");
        }
        return new EmbeddedBroker(broker);
    }

    /** The acceptors of broker.xml that are not listening (Artemis logs a failed bind, AMQ229230, and goes on). */
    private static java.util.List<String> acceptorsDown(EmbeddedActiveMQ broker) {
        ActiveMQServer server = broker.getActiveMQServer();
        if (server == null || server.getRemotingService() == null) {
            return java.util.List.of();
        }
        java.util.List<String> down = new java.util.ArrayList<>();
        server.getRemotingService().getAcceptors().forEach((name, acceptor) -> {
            if (!acceptor.isStarted()) down.add(name);
        });
        return down;
    }

    /**
     * One sentence naming a port of broker.xml's acceptors that another process holds, or null. Artemis does not say
     * which: the acceptor whose bind failed reports itself started, and the acceptors after it are not started at all.
     * So each port is tried here, before the broker starts and after a failed start.
     */
    private static String busyPort(Ports ports) {
        Map<String, Object[]> named = new java.util.LinkedHashMap<>();
        named.put("tcp", new Object[] {"baton.broker.port (--broker-port)", ports.core()});
        named.put("stomp", new Object[] {"baton.broker.stomp.port (--stomp-port)", ports.stomp()});
        named.put("amqp", new Object[] {"baton.broker.amqp.port (--amqp-port)", ports.amqp()});
        for (var e : named.entrySet()) {
            int port = (Integer) e.getValue()[1];
            if (port != 0 && taken(port)) {
                return "the embedded broker cannot listen on port " + port + " (" + e.getValue()[0]
                        + "): is another process using it? Choose another port.";
            }
        }
        return null;
    }

    private static boolean taken(int port) {
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.bind(new java.net.InetSocketAddress(System.getProperty("baton.broker.host", "127.0.0.1"), port));
            return false;
        } catch (java.io.IOException e) {
            return true;
        }
    }

    private static void stopQuietly(EmbeddedActiveMQ broker) {
        try {
            broker.stop();
        } catch (Exception ignored) {
            // it did not start: the start failure is what the caller reports
        }
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
    public void close() {
        try {
            broker.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the embedded broker", e);
        } catch (Exception e) {
            throw new IllegalStateException("stopping the embedded broker: " + e.getMessage(), e);
        }
    }
}
