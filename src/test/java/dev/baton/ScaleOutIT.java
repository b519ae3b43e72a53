package dev.baton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale-out: an Artemis primary/backup pair ({@code baton broker --primary/--backup}, replicating), one PostgreSQL and
 * three Baton processes connected to the pair with failover. Three hundred runs are submitted round the three; every
 * process applies part of the replies; one Baton process is killed with -9, then the primary broker; the survivors
 * finish every run on the backup, each outcome applied exactly once ({@link CrashIT#assertExactlyOnce}).
 */
class ScaleOutIT {
    private static final int RUNS = 300;
    private static final Pattern ATTEMPTS = Pattern.compile("(?m)^baton_ticket_attempts_total\\{[^}]*\\} ([0-9.E]+)$");

    @TempDir
    Path root;

    private final List<BatonProcess> batons = new ArrayList<>();
    private List<BrokerProcess> pair = List.of();
    private EmbeddedPostgres postgres;

    @AfterEach
    void stopAll() throws Exception {
        for (BatonProcess b : batons) b.stop();
        for (BrokerProcess b : pair) b.stop();
        if (postgres != null) postgres.close();
    }

    @Test
    void threeProcessesOnABrokerPairFinishEveryRunOnceThroughAProcessKillAndAPrimaryKill() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        String db = postgres.getJdbcUrl("postgres", "postgres");
        pair = BrokerProcess.pair(Files.createDirectories(root.resolve("brokers")));
        pair.get(0).start();
        Duration sync = pair.get(1).start();
        System.out.printf("broker pair up, backup in sync after %d ms%n", sync.toMillis());
        for (int i = 0; i < 3; i++) batons.add(process("baton-" + i, db));
        startAll();

        List<Throwable> submitFailures = new CopyOnWriteArrayList<>();
        Thread submitter = new Thread(() -> submitAll(submitFailures), "scale-out-submitter");
        submitter.start();

        // Mid-flight by progress, not by time: runs never un-succeed, so both points are reached.
        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> succeeded(db) >= 60);
        List<Double> before = new ArrayList<>();
        for (BatonProcess b : batons) before.add(attemptsApplied(b));
        assertThat(before)
                .as("ticket outcomes applied by each of the three processes")
                .allMatch(n -> n > 0);
        BatonProcess victim = batons.get(2);
        victim.kill9();
        System.out.printf(
                "kill -9 of a Baton process once %d runs had succeeded; outcomes applied so far %s%n",
                succeeded(db), before);

        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> succeeded(db) >= 150);
        double[] beforeBrokerKill = {attemptsApplied(batons.get(0)), attemptsApplied(batons.get(1))};
        pair.get(0).kill9();
        long brokerKilled = System.nanoTime();
        System.out.printf("kill -9 of the primary broker once %d runs had succeeded%n", succeeded(db));

        submitter.join(Duration.ofMinutes(3).toMillis());
        assertThat(submitFailures).isEmpty();
        assertThat(submitter.isAlive()).as("every run submitted").isFalse();
        try {
            await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> succeeded(db) == RUNS);
            System.out.printf(
                    "all %d runs succeeded %d s after the primary broker was killed%n",
                    RUNS, Duration.ofNanos(System.nanoTime() - brokerKilled).toSeconds());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(
                    ProcessDiagnosis.of(
                            batons.get(0), unfinished(db), "ScaleOutIT: runs did not finish after the kills"),
                    e);
        }
        assertThat(pair.get(1).log()).as("the backup took over").contains("took over: active");
        for (int i = 0; i < 2; i++) {
            assertThat(attemptsApplied(batons.get(i)))
                    .as("process %d applied outcomes through the backup", i)
                    .isGreaterThan(beforeBrokerKill[i]);
        }
        batons.get(0).awaitOutboxDrained();
        batons.get(1).terminate();
        batons.get(0).terminate();
        CrashIT.assertExactlyOnce(batons.get(0), RUNS);
        try (Connection c = DriverManager.getConnection(db, "postgres", "")) {
            assertThat(holders(c))
                    .as("agents of more than one process replied last to a ticket")
                    .hasSizeGreaterThan(1);
        }
    }

    /** The three processes start together: one after the other would take three times as long on two cores. */
    private void startAll() throws Exception {
        ExecutorService starting = Executors.newFixedThreadPool(batons.size());
        try {
            List<Future<Duration>> up = new ArrayList<>();
            for (BatonProcess b : batons) up.add(starting.submit(() -> b.start(null)));
            for (Future<Duration> f : up) f.get();
        } finally {
            starting.shutdownNow();
        }
    }

    /** Run i goes to process i % 3; when that one is down, to the next, with the same idempotency key. */
    private void submitAll(List<Throwable> failures) {
        try {
            for (int i = 0; i < RUNS; i++) {
                JsonNode started = null;
                for (int tries = 0; started == null; tries++) {
                    BatonProcess target = batons.get((i + tries) % batons.size());
                    if (target.alive()) started = target.tryStart("crash", "{\"n\": " + i + "}", "scale-" + i);
                    if (started == null && tries > 30) throw new AssertionError("run " + i + " could not be started");
                    if (started == null) Thread.sleep(200);
                }
            }
        } catch (Throwable e) {
            failures.add(e);
        }
    }

    private BatonProcess process(String name, String db) throws Exception {
        Path dir = Files.createDirectories(root.resolve(name));
        Files.createDirectories(dir.resolve("routes"));
        Files.createDirectories(dir.resolve("config"));
        Files.writeString(dir.resolve("config/agents.yaml"), CrashIT.AGENTS);
        Files.writeString(dir.resolve("routes/crash.yaml"), CrashIT.PIPELINE);
        // Three JVMs starting at once on two shared cores: C1 alone compiles far less while they start.
        return new BatonProcess(dir)
                .startTimeout(Duration.ofMinutes(6))
                .jvmOption("-XX:TieredStopAtLevel=1")
                .onDatabase(db, "postgres")
                .property("baton.broker.url", BrokerProcess.failoverUrl(pair));
    }

    /** Ticket outcomes this process applied, from its own Prometheus counter (each process counts what it applied). */
    private static double attemptsApplied(BatonProcess b) throws Exception {
        Matcher m = ATTEMPTS.matcher(b.getText("/api/metrics"));
        double sum = 0;
        while (m.find()) sum += Double.parseDouble(m.group(1));
        return sum;
    }

    private static int succeeded(String db) throws Exception {
        try (Connection c = DriverManager.getConnection(db, "postgres", "");
                ResultSet rs =
                        c.createStatement().executeQuery("SELECT COUNT(*) FROM run WHERE status = 'SUCCEEDED'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static List<String> unfinished(String db) throws Exception {
        List<String> ids = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(db, "postgres", "");
                ResultSet rs = c.createStatement()
                        .executeQuery("SELECT id FROM run WHERE status <> 'SUCCEEDED' ORDER BY created_at LIMIT 20")) {
            while (rs.next()) ids.add(rs.getString(1));
        }
        return ids;
    }

    /** The Baton processes (pid@host of their in-process agents) whose agent replied last to some ticket. */
    private static List<String> holders(Connection c) throws Exception {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = c.createStatement().executeQuery("SELECT DISTINCT instance FROM ticket_holder")) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }
}
