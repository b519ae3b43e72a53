package dev.baton.ticket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default store's server, owned by another JVM that is killed with -9: its watchdog stops the server, a server
 * left running all the same is stopped by the next start, the data outlives both, and one folder has one owner.
 */
class EmbeddedPostgresIT {
    @TempDir
    Path root;

    private final List<Process> holders = new ArrayList<>();

    @AfterEach
    void killHolders() {
        holders.forEach(Process::destroyForcibly);
    }

    @Test
    void theServerOfAKilledOwnerStopsAndItsDataStays() throws Exception {
        Path dir = root.resolve("postgres");
        Process owner = holder(dir, 1);
        ProcessHandle server = server(dir);
        owner.destroyForcibly(); // SIGKILL: no shutdown hook, no close()
        owner.waitFor(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(60)).until(() -> !server.isAlive());
        assertThat(dir.resolve("postmaster.pid")).doesNotExist();
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(dir, 0)) {
            assertThat(marks(pg)).containsExactly(1);
        }
    }

    @Test
    void aServerLeftRunningIsStoppedByTheNextStart() throws Exception {
        Path dir = root.resolve("postgres");
        Process owner = holder(dir, 1);
        ProcessHandle server = server(dir);
        // The watchdog dies first (as if both were killed): the server is left running, holding the folder.
        owner.descendants()
                .filter(p -> String.join(" ", p.info().arguments().orElse(new String[0]))
                        .contains("baton-postgres-watchdog"))
                .forEach(ProcessHandle::destroyForcibly);
        owner.destroyForcibly();
        owner.waitFor(30, TimeUnit.SECONDS);
        assertThat(server.isAlive()).as("server left running").isTrue();

        Process next = holder(dir, 2);
        assertThat(stopped(server)).as("the server left running was stopped").isTrue();
        assertThat(server(dir).pid()).isNotEqualTo(server.pid());
        next.destroy();
        next.waitFor(30, TimeUnit.SECONDS);
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(dir, 0)) {
            assertThat(marks(pg)).containsExactly(1, 2);
        }
        assertThat(dir.resolve("postmaster.pid")).as("close() stops the server").doesNotExist();
    }

    @Test
    void aFolderInUseIsRefusedWithItsName() throws Exception {
        Path dir = root.resolve("postgres");
        holder(dir, 1);
        assertThatThrownBy(() -> EmbeddedPostgres.start(dir, 0))
                .hasMessage(dir.toAbsolutePath() + " is in use by another Baton process; give this one another --data");
    }

    /** Starts a JVM that owns the server on {@code dir} and inserts {@code mark}; returns once it says UP. */
    private Process holder(Path dir, int mark) throws Exception {
        Path out = root.resolve("holder-" + mark + ".out");
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        PostgresHolder.class.getName(),
                        dir.toString(),
                        Integer.toString(mark))
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        holders.add(p);
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    String s = Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "";
                    if (s.contains("FAILED") || !p.isAlive()) throw new AssertionError("holder failed: " + s);
                    return s.contains("UP");
                });
        return p;
    }

    private static ProcessHandle server(Path dir) throws Exception {
        long pid = Long.parseLong(
                Files.readAllLines(dir.resolve("postmaster.pid")).get(0).trim());
        return ProcessHandle.of(pid).orElseThrow();
    }

    private static List<Integer> marks(EmbeddedPostgres pg) throws Exception {
        List<Integer> marks = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), EmbeddedPostgres.USER, pg.password());
                ResultSet rs = c.createStatement().executeQuery("SELECT n FROM marks ORDER BY n")) {
            while (rs.next()) marks.add(rs.getInt(1));
        }
        return marks;
    }

    /**
     * Whether a process has ended. Its parent was killed, so it may stay a zombie until something reaps it (PID 1 of
     * a container need not): a zombie has stopped all the same.
     */
    static boolean stopped(ProcessHandle p) throws Exception {
        for (int i = 0; i < 100 && p.isAlive(); i++) {
            java.nio.file.Path stat = java.nio.file.Path.of("/proc/" + p.pid() + "/stat");
            if (java.nio.file.Files.exists(stat)) {
                String text = java.nio.file.Files.readString(stat);
                if (text.substring(text.lastIndexOf(')') + 2).startsWith("Z")) return true;
            }
            Thread.sleep(100);
        }
        return !p.isAlive();
    }
}
