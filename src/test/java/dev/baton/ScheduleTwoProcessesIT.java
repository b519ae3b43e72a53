package dev.baton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Baton processes on one broker (A's embedded one, B connected over TCP) and one PostgreSQL: a schedule that
 * ticks every second starts exactly one run per tick, with no gaps, also while one of them is killed with -9.
 */
class ScheduleTwoProcessesIT {
    static final String PIPELINE = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: pulse}
            spec:
              params: {n: {default: 1}}
              schedule: {cron: "* * * * * ?", params: {n: 2}}
              pipeline:
                stages:
                  - {name: beat, agent: heart, output: "$.beat"}
            """;

    private static final String STARTED = "schedule of 'pulse' started run";

    @TempDir
    Path root;

    @Test
    void twoProcessesFireEachTickExactlyOnce() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            String url = pg.getJdbcUrl("postgres", "postgres");
            BatonProcess a = process("sched-a", url);
            BatonProcess b = process("sched-b", url);
            try {
                a.start(null);
                b.property("baton.broker.url", "tcp://127.0.0.1:" + a.brokerPort())
                        .start(null);
                Instant bothUp = Instant.now();
                await().atMost(Duration.ofSeconds(30)).until(() -> after(ticks(url), bothUp) >= 6);

                b.kill9();
                Instant killed = Instant.now();
                await().atMost(Duration.ofSeconds(30)).until(() -> after(ticks(url), killed) >= 3);

                List<Instant> ticks = ticks(url);
                for (int i = 1; i < ticks.size(); i++) {
                    assertThat(Duration.between(ticks.get(i - 1), ticks.get(i)))
                            .as("ticks %s", ticks)
                            .isEqualTo(Duration.ofSeconds(1));
                }
                assertThat(count(url, "SELECT COUNT(*) FROM run")).isEqualTo(ticks.size());
                assertThat(count(url, "SELECT COUNT(*) FROM run WHERE params LIKE '%\"n\":2%'"))
                        .isEqualTo(ticks.size());
                // One tick message per tick (broker duplicate detection): a tick reaches a second consumer only when
                // B was killed between starting its run and acknowledging the tick.
                assertThat(logged(a, "already started run") + logged(b, "already started run"))
                        .isLessThanOrEqualTo(1);
                System.out.printf(
                        "ticks %d (%s .. %s); started by A: %d, by B: %d%n",
                        ticks.size(),
                        ticks.get(0),
                        ticks.get(ticks.size() - 1),
                        logged(a, STARTED),
                        logged(b, STARTED));
            } finally {
                b.stop();
                a.stop();
            }
        }
    }

    private BatonProcess process(String name, String url) throws Exception {
        Path dir = Files.createTempDirectory(root, name + "-");
        Files.createDirectories(dir.resolve("routes"));
        Files.createDirectories(dir.resolve("config"));
        Files.writeString(dir.resolve("config/agents.yaml"), "agents:\n  heart: {kind: demo}\n");
        Files.writeString(dir.resolve("routes/pulse.yaml"), PIPELINE);
        return new BatonProcess(dir)
                .property("baton.db.url", url)
                .property("baton.db.user", "postgres")
                .property("baton.db.password", "");
    }

    private static long after(List<Instant> ticks, Instant t) {
        return ticks.stream().filter(x -> x.isAfter(t)).count();
    }

    /** Tick times of the scheduled runs, from their idempotency keys; the unique index allows one run per key. */
    private static List<Instant> ticks(String url) throws Exception {
        List<Instant> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
                ResultSet rs = c.createStatement()
                        .executeQuery(
                                "SELECT idempotency_key FROM run WHERE idempotency_key LIKE 'schedule:pulse@%' ORDER BY 1")) {
            while (rs.next()) out.add(Instant.parse(rs.getString(1).substring("schedule:pulse@".length())));
        }
        return out.stream().sorted().toList();
    }

    private static long count(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
                ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long logged(BatonProcess p, String text) throws Exception {
        try (var lines = Files.lines(p.logFile(1))) {
            return lines.filter(l -> l.contains(text)).count();
        }
    }
}
