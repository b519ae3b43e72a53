package dev.baton.broker;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.FileDeploymentManager;
import org.apache.activemq.artemis.core.config.impl.FileConfiguration;

/**
 * This broker's place in an Artemis primary/backup pair that replicates its journal over the network: the HA policy,
 * connectors and cluster connection of {@code broker/broker-primary.xml} or {@code broker/broker-backup.xml}, laid over
 * the rest of {@code broker/broker.xml}.
 *
 * @param role primary or backup
 * @param peer HOST:PORT of the other broker's Core acceptor
 * @param advertise the host this broker is reached on by its peer and by clients (not a wildcard address)
 */
public record Replication(Role role, String peer, String advertise) {
    /** The user the pair's brokers log in to each other as; Artemis gives it every right. */
    public static final String CLUSTER_USER = "baton-cluster";

    /** Which half of the pair. */
    public enum Role {
        PRIMARY,
        BACKUP;

        String file() {
            return "broker-" + name().toLowerCase(java.util.Locale.ROOT) + ".xml";
        }
    }

    public Replication {
        if (peer == null || !peer.matches("[^:/\\s]+:\\d{1,5}")) {
            throw new IllegalArgumentException(
                    "--peer must be HOST:PORT of the other broker's Core port, not '" + peer + "'");
        }
        if (advertise == null || advertise.isBlank() || advertise.equals("0.0.0.0")) {
            throw new IllegalArgumentException("--advertise must be a host name or address the peer and the clients "
                    + "can reach, not '" + advertise + "'");
        }
    }

    /** The file next to broker.xml this role takes its HA elements from. */
    public Path file(Path brokerXml) {
        return brokerXml.toAbsolutePath().resolveSibling(role.file());
    }

    /**
     * Reads broker.xml and lays this role's HA policy, connectors and cluster connection over it. Call while the
     * {@code ${baton.broker.*}} system properties both files read are set.
     *
     * @param clusterPassword the password the two brokers log in to each other with (Baton's broker password)
     */
    Configuration configure(Path brokerXml, String clusterPassword) throws Exception {
        Path haXml = file(brokerXml);
        if (!Files.exists(haXml)) {
            throw new IllegalArgumentException(haXml + " does not exist: the "
                    + role.name().toLowerCase(java.util.Locale.ROOT) + " of a broker pair reads its HA policy from it");
        }
        FileConfiguration config = read(brokerXml);
        FileConfiguration ha = read(haXml);
        config.setHAPolicyConfiguration(ha.getHAPolicyConfiguration());
        ha.getConnectorConfigurations().forEach(config::addConnectorConfiguration);
        ha.getClusterConfigurations().forEach(config::addClusterConfiguration);
        config.setClusterUser(CLUSTER_USER);
        config.setClusterPassword(clusterPassword);
        return config;
    }

    private static FileConfiguration read(Path xml) throws Exception {
        FileConfiguration config = new FileConfiguration();
        FileDeploymentManager files =
                new FileDeploymentManager(xml.toAbsolutePath().toUri().toString());
        files.addDeployable(config);
        files.readConfiguration();
        return config;
    }
}
