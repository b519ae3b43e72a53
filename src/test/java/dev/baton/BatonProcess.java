package dev.baton;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.pipeline.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/** Baton as a separate operating-system process, started from the packaged jar, that tests can kill -9. */
public final class BatonProcess {
    /** Baton's broker password in every process these tests start. */
    public static final String TEST_BROKER_PASSWORD = "process-test-secret";

    private final Path root;
    private final int port;
    private final int brokerPort;
    private final int stompPort;
    private final int amqpPort;
    private Process process;
    private int starts;
    private String maxHeap = "384m";
    private Duration startTimeout = Duration.ofMinutes(3);
    private final List<String> properties = new ArrayList<>();
    private final List<String> jvmOptions = new ArrayList<>();
    private io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres;
    /** The default store's server, started by {@link #connect} on the folder of a stopped process. */
    private dev.baton.ticket.EmbeddedPostgres ownPostgres;

    private String dbUrl;
    private String dbUser;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public BatonProcess(Path root) throws IOException {
        this.root = root;
        this.port = TestBaton.freePort();
        this.brokerPort = TestBaton.freePort();
        this.stompPort = TestBaton.freePort();
        this.amqpPort = TestBaton.freePort();
    }

    /** The heap limit of the next start (default 384m). */
    public BatonProcess maxHeap(String xmx) {
        this.maxHeap = xmx;
        return this;
    }

    /** How long {@link #start} waits for the API (default 90 s): several processes starting at once take longer. */
    public BatonProcess startTimeout(Duration atMost) {
        this.startTimeout = atMost;
        return this;
    }

    /** A JVM option for the next starts, e.g. {@code -XX:TieredStopAtLevel=1} to start sooner on a busy machine. */
    public BatonProcess jvmOption(String option) {
        jvmOptions.add(option);
        return this;
    }

    /** A system property for the next starts, e.g. another database or an external broker. */
    public BatonProcess property(String name, String value) {
        if (name.equals("baton.db.url")) dbUrl = value;
        if (name.equals("baton.db.user")) dbUser = value;
        properties.add("-D" + name + "=" + value);
        return this;
    }

    /**
     * Runs on a PostgreSQL server the test starts (embedded, started now, stopped with {@link #stop}) instead of
     * Baton's default store, the PostgreSQL that Baton runs itself on its data folder: for processes that must share
     * one database, or a test that must not depend on Baton stopping its own server.
     */
    public BatonProcess onPostgres() throws IOException {
        postgres = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder().start();
        return property("baton.db.url", postgres.getJdbcUrl("postgres", "postgres"))
                .property("baton.db.user", "postgres")
                .property("baton.db.password", "");
    }

    /** Runs on a database another party started and stops, e.g. one PostgreSQL shared by several processes. */
    public BatonProcess onDatabase(String url, String user) {
        dbUrl = url;
        dbUser = user;
        return property("baton.db.url", url).property("baton.db.user", user).property("baton.db.password", "");
    }

    /**
     * A connection to its database. On the default store: Baton's own server while the process runs (its port is
     * line 4 of postmaster.pid, its password in baton.password); once it has stopped, one this test starts on the
     * same folder (stopped by {@link #stop} or the next start), which also proves the data outlived its server.
     */
    public java.sql.Connection connect() throws Exception {
        if (dbUrl != null) return java.sql.DriverManager.getConnection(dbUrl, dbUser, "");
        Path dir = root.resolve("data/postgres");
        String user = dev.baton.ticket.EmbeddedPostgres.USER;
        if (!alive()) {
            if (ownPostgres == null) ownPostgres = dev.baton.ticket.EmbeddedPostgres.start(dir, 0);
            return java.sql.DriverManager.getConnection(ownPostgres.jdbcUrl(), user, ownPostgres.password());
        }
        String port = Files.readAllLines(dir.resolve("postmaster.pid")).get(3).trim();
        String password = Files.readString(dir.resolve("baton.password")).trim();
        return java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/baton", user, password);
    }

    /** The TCP port of its embedded broker, for a second process to share. */
    public int brokerPort() {
        return brokerPort;
    }

    /** How many times it was started. */
    public int starts() {
        return starts;
    }

    /** Where the output of its {@code n}-th start goes. */
    public Path logFile(int n) throws IOException {
        return log(n);
    }

    /** Starts the process (optionally with a fault-injection spec) and waits until the API answers. */
    public Duration start(String fault) throws Exception {
        long t0 = System.nanoTime();
        launch(fault);
        // A first start also makes its database's cluster (a few seconds alone, far more on a loaded machine).
        Awaitility.await()
                .atMost(startTimeout)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    if (!process.isAlive())
                        throw new IllegalStateException(
                                "Baton exited with " + process.exitValue() + "; see " + log(starts));
                    return up();
                });
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    /**
     * Starts the process without waiting for it: with a fault-injection spec it may halt before its API is up
     * (the point can be passed while it recovers).
     */
    public void launch(String fault) throws Exception {
        closeOwnPostgres();
        Path jar = Path.of("target", "baton.jar").toAbsolutePath();
        if (!Files.exists(jar)) throw new IllegalStateException(jar + " is missing: run mvn verify (package first)");
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + maxHeap,
                "-XX:+UseSerialGC",
                "-Dlog4j2.configurationFile=" + Path.of("config", "log4j2.xml").toAbsolutePath()));
        cmd.addAll(jvmOptions);
        if (fault != null) cmd.add("-Dbaton.fault=" + fault);
        // Baton's broker password: a second process may connect to this one's embedded broker with it.
        cmd.add("-Dbaton.broker.password=" + TEST_BROKER_PASSWORD);
        cmd.add("-Dbaton.security.file="
                + TestSecurity.write(root.resolve("test-security.yaml")).toAbsolutePath());
        cmd.addAll(properties);
        cmd.addAll(List.of(
                "-jar",
                jar.toString(),
                "run",
                "--routes",
                root.resolve("routes").toString(),
                "--config",
                root.resolve("config").toString(),
                "--data",
                root.resolve("data").toString(),
                "--port",
                Integer.toString(port),
                "--broker-port",
                Integer.toString(brokerPort),
                "--stomp-port",
                Integer.toString(stompPort),
                "--amqp-port",
                Integer.toString(amqpPort)));
        process = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(++starts).toFile()))
                .start();
    }

    /** Logs are kept under target/it-logs, so that a failed run can be read after the temporary folder is gone. */
    private Path log(int n) throws IOException {
        Path dir = Path.of("target", "it-logs");
        Files.createDirectories(dir);
        return dir.resolve(root.getFileName() + "-" + n + ".log");
    }

    /**
     * Stops the process with SIGTERM, so that Baton closes its database: the checks that follow the crashes read the
     * database of a stopped Baton, and the stop that precedes them is not one of the crashes under test.
     */
    public void terminate() throws Exception {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            kill9();
        }
    }

    /**
     * Writes a thread dump of the running process ({@code jcmd <pid> Thread.print}) to its log and returns the
     * log's path: for a test that gave up waiting, the evidence of what the process was doing.
     */
    public Path dumpThreads() throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Path out = log(starts).resolveSibling(root.getFileName() + "-" + starts + "-threads.txt");
        Process dump = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "Thread.print")
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        dump.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    public void kill9() throws Exception {
        // Process.destroyForcibly sends SIGKILL on Linux: no shutdown hook, no flush.
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /**
     * SIGKILLs the process together with every process of its default store's server (and the watchdog that would
     * stop it), as {@code docker kill} or an out-of-memory kill of a whole container does: the server then
     * recovers from its write-ahead log on the next start instead of having shut down cleanly.
     */
    public void kill9WithDatabase() throws Exception {
        List<ProcessHandle> all = new ArrayList<>();
        Path pidFile = root.resolve("data/postgres/postmaster.pid");
        if (Files.exists(pidFile)) {
            ProcessHandle.of(Long.parseLong(Files.readAllLines(pidFile).get(0).trim()))
                    .ifPresent(pm -> {
                        all.add(pm);
                        pm.descendants().forEach(all::add);
                    });
        }
        process.descendants().forEach(all::add);
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroyForcibly);
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /**
     * Waits until every committed message has been handed to the broker, and stays so for a second: a kill before
     * that leaves outbox rows (which the sweep would send after a restart), so a test that checks the outbox is
     * empty waits for this first. A late duplicate reply (a ticket redelivered after a kill) is refused and its
     * REFUSED event goes through the outbox too, after every run has ended.
     */
    public void awaitOutboxDrained() {
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(60))
                .during(java.time.Duration.ofSeconds(1))
                .pollInterval(java.time.Duration.ofMillis(100))
                .until(() -> get("/api/health").path("outbox").asInt(-1) == 0);
    }

    /** Kills the process if it still runs (a failed test must not leave a Baton behind) and stops its PostgreSQL. */
    public void stop() throws Exception {
        Path pidFile = root.resolve("data/postgres/postmaster.pid");
        java.util.Optional<ProcessHandle> server = Files.exists(pidFile)
                ? ProcessHandle.of(
                        Long.parseLong(Files.readAllLines(pidFile).get(0).trim()))
                : java.util.Optional.empty();
        if (alive()) kill9();
        // A server this test started on the folder (to read it while Baton was down) is stopped here; one Baton
        // started is stopped by the killed process's watchdog: wait, or the temporary folder is deleted under it.
        closeOwnPostgres();
        server.ifPresent(h -> Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> !h.isAlive()));
        if (postgres != null) postgres.close();
        postgres = null;
    }

    private void closeOwnPostgres() {
        if (ownPostgres != null) ownPostgres.close();
        ownPostgres = null;
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    /**
     * The exit code once the process has ended by itself (within 2 minutes); otherwise fails with a thread dump of
     * what it was doing instead.
     */
    public int awaitExit() throws Exception {
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            throw new AssertionError("Baton is still running after 2 minutes; its threads: " + dumpThreads()
                    + ", its log: " + log(starts));
        }
        return process.exitValue();
    }

    public boolean up() {
        try {
            return http.send(
                                    HttpRequest.newBuilder(uri("/api/health"))
                                            .timeout(Duration.ofSeconds(5))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode()
                    == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** POST with an idempotency key; null when the server is down (the caller retries with the same key). */
    public JsonNode tryStart(String pipeline, String params, String key) {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(uri("/api/pipelines/" + pipeline + "/runs"))
                            .timeout(Duration.ofSeconds(10))
                            .header("Content-Type", "application/json")
                            .header("Authorization", "Bearer " + TestSecurity.apiKey("admin"))
                            .header("Idempotency-Key", key)
                            .POST(HttpRequest.BodyPublishers.ofString(params))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() >= 500) return null;
            if (r.statusCode() >= 400) throw new AssertionError(r.statusCode() + " " + r.body());
            return Json.parse(r.body());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    public JsonNode get(String path) throws Exception {
        return Json.parse(http.send(
                        HttpRequest.newBuilder(uri(path))
                                .timeout(Duration.ofSeconds(10))
                                .header("Authorization", "Bearer " + TestSecurity.apiKey("admin"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body());
    }

    /** GET as the test admin; the answer's body as text (e.g. the Prometheus scrape). */
    public String getText(String path) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(uri(path))
                                .timeout(Duration.ofSeconds(10))
                                .header("Authorization", "Bearer " + TestSecurity.apiKey("admin"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    /** POST JSON as the test admin; the answer's body. */
    public JsonNode post(String path, String json) throws Exception {
        return Json.parse(http.send(
                        HttpRequest.newBuilder(uri(path))
                                .timeout(Duration.ofSeconds(10))
                                .header("Authorization", "Bearer " + TestSecurity.apiKey("admin"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(json))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
