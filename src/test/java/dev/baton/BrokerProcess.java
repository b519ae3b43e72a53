package dev.baton;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * {@code baton broker} as a separate operating-system process from the packaged jar: the broker of a split
 * deployment, which a test can kill -9 and start again on the same journal and port; or one half of a replicating
 * primary/backup pair ({@link #pair}).
 */
public final class BrokerProcess {
    private final Path data;
    private final int port;
    private final int stompPort;
    private final int amqpPort;
    private final List<String> pairArgs = new java.util.ArrayList<>();
    private String ready;
    private Process process;
    private int starts;

    public BrokerProcess(Path data) throws java.io.IOException {
        this.data = data;
        this.port = TestBaton.freePort();
        this.stompPort = TestBaton.freePort();
        this.amqpPort = TestBaton.freePort();
        this.ready = "listening on " + url();
    }

    /**
     * A primary (first) and its backup (second), journals under {@code root}; start the primary first: the backup's
     * start returns once it is in sync, i.e. able to take over.
     */
    public static List<BrokerProcess> pair(Path root) throws java.io.IOException {
        BrokerProcess primary = new BrokerProcess(root.resolve("primary"));
        BrokerProcess backup = new BrokerProcess(root.resolve("backup"));
        primary.pairArgs.addAll(List.of("--primary", "--peer", "127.0.0.1:" + backup.port));
        backup.pairArgs.addAll(List.of("--backup", "--peer", "127.0.0.1:" + primary.port));
        backup.ready = "in sync with the active broker";
        return List.of(primary, backup);
    }

    /** The URL Baton processes connect to a pair with: either broker, failing over to the other. */
    public static String failoverUrl(List<BrokerProcess> pair) {
        return "(tcp://127.0.0.1:" + pair.get(0).port + ",tcp://127.0.0.1:" + pair.get(1).port
                + ")?ha=true&reconnectAttempts=-1";
    }

    /** Its output so far (all starts). */
    public String log() throws java.io.IOException {
        StringBuilder all = new StringBuilder();
        for (int n = 1; n <= starts; n++) all.append(Files.readString(log(n)));
        return all.toString();
    }

    private Path log(int n) {
        return Path.of(
                "target",
                "it-logs",
                data.getParent().getFileName() + "-" + data.getFileName() + "-broker-" + n + ".log");
    }

    /** The URL a Baton process connects with ({@code baton.broker.url}). */
    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    /** Starts the broker and waits until it says it listens; returns how long that took. */
    public Duration start() throws Exception {
        Path jar = Path.of("target", "baton.jar").toAbsolutePath();
        Path log = log(++starts);
        Files.createDirectories(log.getParent());
        long t0 = System.nanoTime();
        List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-Dbaton.broker.password=" + BatonProcess.TEST_BROKER_PASSWORD,
                "-Dlog4j2.configurationFile=" + Path.of("config", "log4j2.xml").toAbsolutePath(),
                "-jar",
                jar.toString(),
                "broker",
                "--data",
                data.toString(),
                "--broker-port",
                Integer.toString(port),
                "--stomp-port",
                Integer.toString(stompPort),
                "--amqp-port",
                Integer.toString(amqpPort)));
        cmd.addAll(pairArgs);
        process = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Awaitility.await()
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
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
