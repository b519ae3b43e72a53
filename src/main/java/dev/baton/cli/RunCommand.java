package dev.baton.cli;

import dev.baton.BatonServer;
import dev.baton.config.BatonSettings;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code baton run}: the server, up until it is stopped. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = "Start Baton: embedded broker, database, REST API and the pipelines in routes/.")
public final class RunCommand implements Callable<Integer> {
    @Mixin
    ServerOptions options;

    @Override
    public Integer call() throws Exception {
        BatonSettings settings = BatonSettings.load(options.overrides());
        AtomicReference<BatonServer> running = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean signalled = new AtomicBoolean();
        // Registered before the start: a SIGTERM or Ctrl-C while Baton starts lets the start finish, then stops it.
        // (Registered after, it would fail with "Shutdown in progress" and leave the process hanging in System.exit.)
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            signalled.set(true);
                            try {
                                started.await();
                                BatonServer server = running.get();
                                if (server != null) server.stop();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            } finally {
                                stopped.countDown();
                            }
                        },
                        "baton-shutdown"));
        try {
            running.set(BatonServer.start(settings));
        } catch (Exception e) {
            if (!signalled.get()) throw e;
            // Parts that start after the signal cannot register their own shutdown hooks ("Shutdown in progress").
            LoggerFactory.getLogger(RunCommand.class).info("stopped while starting ({})", e.getMessage());
        } finally {
            started.countDown();
        }
        stopped.await();
        return 0;
    }
}
