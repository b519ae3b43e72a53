package dev.baton.cli;

import dev.baton.broker.EmbeddedBroker;
import dev.baton.broker.Replication;
import dev.baton.config.BatonSettings;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code baton broker}: only the Artemis broker from {@code broker/broker.xml}, for split deployments (Baton
 * processes connect with {@code baton.broker.url}) and for tests that kill the broker on its own; with
 * {@code --primary} or {@code --backup}, one half of a pair that replicates its journal and fails over.
 */
@Command(
        name = "broker",
        mixinStandardHelpOptions = true,
        description = "Run only the Artemis broker from broker/broker.xml (journal under --data), until stopped; with "
                + "--primary or --backup, one half of a pair that replicates its journal and fails over.")
public final class BrokerCommand implements Callable<Integer> {
    @Mixin
    ServerOptions options;

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true)
    PairRole pairRole;

    @Option(
            names = "--peer",
            paramLabel = "HOST:PORT",
            description = "with --primary or --backup: the other broker's Core port (its --broker-port)")
    String peer;

    @Option(
            names = "--advertise",
            paramLabel = "HOST",
            defaultValue = "127.0.0.1",
            description = "with --primary or --backup: the host the peer and Baton processes reach this broker on "
                    + "(default: ${DEFAULT-VALUE}; in containers, the service name)")
    String advertise;

    /** The half of a replicating pair this broker is, if any. */
    static final class PairRole {
        @Option(
                names = "--primary",
                required = true,
                description = "be the primary of a replicating pair (broker/broker-primary.xml)")
        boolean primary;

        @Option(
                names = "--backup",
                required = true,
                description = "be the backup of a replicating pair (broker/broker-backup.xml): copy the primary's "
                        + "journal and take over when it fails")
        boolean backup;
    }

    @Override
    public Integer call() throws Exception {
        Replication replication;
        try {
            replication = replication();
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return 2;
        }
        BatonSettings settings = BatonSettings.load(options.overrides());
        var b = settings.broker();
        if (b.password().isBlank()) {
            spec.commandLine()
                    .getErr()
                    .println("baton.broker.password must be set: the Baton processes log in to this broker as "
                            + "user '" + b.user() + "' with it (e.g. -Dbaton.broker.password=...)");
            return 2;
        }
        int port = b.port();
        EmbeddedBroker broker = EmbeddedBroker.start(b, settings.dataDir(), replication);
        // Agents of config/agents.yaml may consume their queues; agents only pipelines name need a broker.xml match.
        // A backup holds no queues of its own until it takes over: it allows them then.
        Runnable allowAgents =
                () -> dev.baton.agent.AgentRegistry.load(settings.configDir().resolve("agents.yaml"))
                        .names()
                        .forEach(broker::allowAgent);
        if (replication == null || replication.role() == Replication.Role.PRIMARY) allowAgents.run();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                broker.close();
                            } catch (Exception e) {
                                System.err.println("broker did not stop cleanly: " + e);
                            }
                            stopped.countDown();
                        },
                        "baton-broker-shutdown"));
        var out = System.out;
        if (replication == null) {
            out.printf(
                    "Artemis broker from %s listening on tcp://127.0.0.1:%d, journal in %s%n",
                    b.brokerXml(), port, settings.dataDir().resolve("broker"));
            out.printf("STOMP on 127.0.0.1:%d, AMQP 1.0 on 127.0.0.1:%d%n", b.stompPort(), b.amqpPort());
            out.printf(
                    "Connect Baton with -Dbaton.broker.url=tcp://127.0.0.1:%d and the same baton.broker.password%n",
                    port);
        } else {
            String self = replication.advertise() + ":" + port;
            if (replication.role() == Replication.Role.PRIMARY
                    && !broker.server().isActive()) {
                // Restarted after its backup took over (check-for-active-server): it copies the journal back first.
                out.printf(
                        "Artemis broker from %s and %s, primary of a pair: the broker at %s is active, this one "
                                + "copies its journal and then takes over on tcp://%s; journal in %s%n",
                        b.brokerXml(),
                        replication.file(b.brokerXml()).getFileName(),
                        replication.peer(),
                        self,
                        settings.dataDir().resolve("broker"));
            } else if (replication.role() == Replication.Role.PRIMARY) {
                out.printf(
                        "Artemis broker from %s and %s, primary of a pair, listening on tcp://%s, journal in %s%n",
                        b.brokerXml(),
                        replication.file(b.brokerXml()).getFileName(),
                        self,
                        settings.dataDir().resolve("broker"));
            } else {
                out.printf(
                        "Artemis broker from %s and %s, backup of the primary at %s: it listens on tcp://%s once it "
                                + "takes over; journal in %s%n",
                        b.brokerXml(),
                        replication.file(b.brokerXml()).getFileName(),
                        replication.peer(),
                        self,
                        settings.dataDir().resolve("broker"));
            }
            String[] pair = replication.role() == Replication.Role.PRIMARY
                    ? new String[] {self, replication.peer()}
                    : new String[] {replication.peer(), self};
            out.printf(
                    "Connect Baton with -Dbaton.broker.url=(tcp://%s,tcp://%s)?ha=true&reconnectAttempts=-1 and the "
                            + "same baton.broker.password%n",
                    pair[0], pair[1]);
            PairWatch.start(broker.server(), replication, self, allowAgents);
        }
        out.flush();
        stopped.await();
        return 0;
    }

    private Replication replication() {
        if (pairRole == null) {
            if (peer != null) throw new IllegalArgumentException("--peer needs --primary or --backup");
            return null;
        }
        return new Replication(pairRole.primary ? Replication.Role.PRIMARY : Replication.Role.BACKUP, peer, advertise);
    }
}
