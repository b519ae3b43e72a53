package dev.baton.cli;

import dev.baton.BatonServer;
import dev.baton.config.BatonSettings;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code baton run}: the server, up until it is stopped. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Start Baton: embedded broker, database, REST API and the pipelines in routes/.")
public final class RunCommand implements Callable<Integer> {
    @Mixin
    ServerOptions options;

    @Override
    public Integer call() throws Exception {
        BatonServer server = BatonServer.start(BatonSettings.load(options.overrides()));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "baton-shutdown"));
        stopped.await();
        return 0;
    }
}
