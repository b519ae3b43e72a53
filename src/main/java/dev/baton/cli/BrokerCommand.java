package dev.baton.cli;

import dev.baton.broker.EmbeddedBroker;
import dev.baton.config.BatonSettings;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code baton broker}: only the Artemis broker from {@code broker/broker.xml}, for split deployments (Baton
 * processes connect with {@code baton.broker.url}) and for tests that kill the broker on its own.
 */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Run only the Artemis broker from broker/broker.xml (journal under --data), until stopped.")
public final class BrokerCommand implements Callable<Integer> {
    @Mixin
    ServerOptions options;

    @Override
    public Integer call() throws Exception {
        BatonSettings settings = BatonSettings.load(options.overrides());
        int port = settings.broker().port();
        EmbeddedBroker broker = EmbeddedBroker.start(settings.broker().brokerXml(), settings.dataDir(), settings.broker().ports());
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
                settings.broker().brokerXml(), port, settings.dataDir().resolve("broker"));
        out.printf("STOMP on 127.0.0.1:%d, AMQP 1.0 on 127.0.0.1:%d%n", settings.broker().stompPort(),
                settings.broker().amqpPort());
        out.printf("Connect Baton with -Dbaton.broker.url=tcp://127.0.0.1:%d%n", port);
        out.flush();
        stopped.await();
        return 0;
    }
}
