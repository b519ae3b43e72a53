package dev.baton;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * {@code baton broker} as a separate operating-system process from the packaged jar: the broker of a split
 * deployment, which a test can kill -9 and start again on the same journal and port.
 */
public final class BrokerProcess {
    private final Path data;
    private final int port;
    private final int stompPort;
    private final int amqpPort;
    private Process process;
    private int starts;

    public BrokerProcess(Path data) throws java.io.IOException {
        this.data = data;
        this.port = TestBaton.freePort();
        this.stompPort = TestBaton.freePort();
        this.amqpPort = TestBaton.freePort();
    }

    /** The URL a Baton process connects with ({@code baton.broker.url}). */
    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    /** Starts the broker and waits until it says it listens; returns how long that took. */
    public Duration start() throws Exception {
        Path jar = Path.of("target", "baton.jar").toAbsolutePath();
        Path log = Path.of("target", "it-logs", data.getParent().getFileName() + "-broker-" + (++starts) + ".log");
        Files.createDirectories(log.getParent());
        long t0 = System.nanoTime();
        process = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Dbaton.broker.password=" + BatonProcess.TEST_BROKER_PASSWORD,
                "-Dlog4j2.configurationFile=" + Path.of("config", "log4j2.xml").toAbsolutePath(),
                "-jar", jar.toString(), "broker", "--data", data.toString(), "--broker-port", Integer.toString(port),
                "--stomp-port", Integer.toString(stompPort), "--amqp-port", Integer.toString(amqpPort)))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        String ready = "listening on " + url();
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!process.isAlive()) throw new IllegalStateException("broker exited; see " + log);
            return Files.readString(log).contains(ready);
        });
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    /** SIGKILL: no shutdown hook, the journal is what was synced. */
    public void kill9() throws Exception {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    public void stop() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) kill9();
        }
    }
}
