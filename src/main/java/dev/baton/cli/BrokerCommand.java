package dev.baton.cli;

import dev.baton.broker.EmbeddedBroker;
import dev.baton.config.BatonSettings;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code baton broker}: only the Artemis broker from {@code broker/broker.xml}, for split deployments (Baton
 * processes connect with {@code baton.broker.url}) and for tests that kill the broker on its own.
 */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Run only the Artemis broker from broker/broker.xml (journal under --data), until stopped.")
public final class BrokerCommand implements Callable<Integer> {
    @Mixin
    ServerOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        BatonSettings settings = BatonSettings.load(options.overrides());
        var b = settings.broker();
        if (b.password().isBlank()) {
            spec.commandLine().getErr().println("baton.broker.password must be set: the Baton processes log in to this broker as "
                    + "user '" + b.user() + "' with it (e.g. -Dbaton.broker.password=...)");
            return 2;
        }
        int port = b.port();
        EmbeddedBroker broker = EmbeddedBroker.start(b, settings.dataDir());
        // Agents of config/agents.yaml may consume their queues; agents only pipelines name need a broker.xml match.
        dev.baton.agent.AgentRegistry.load(settings.configDir().resolve("agents.yaml")).names()
                .forEach(broker::allowAgent);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                broker.close();
            } catch (Exception e) {
                System.err.println("broker did not stop cleanly: " + e);
            }
            stopped.countDown();
        }, "baton-broker-shutdown"));
        var out = System.out;
        out.printf("Artemis broker from %s listening on tcp://127.0.0.1:%d, journal in %s%n",
                b.brokerXml(), port, settings.dataDir().resolve("broker"));
        out.printf("STOMP on 127.0.0.1:%d, AMQP 1.0 on 127.0.0.1:%d%n", b.stompPort(), b.amqpPort());
        out.printf("Connect Baton with -Dbaton.broker.url=tcp://127.0.0.1:%d and the same baton.broker.password%n",
                port);
        out.flush();
        stopped.await();
        return 0;
    }
}
