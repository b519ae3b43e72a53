package dev.baton.bench;

import dev.baton.BatonServer;
import dev.baton.config.BatonSettings;
import dev.baton.ticket.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The stack a bench measures, in a scratch folder: the embedded broker as {@code broker/broker.xml} configures it, the
 * chosen database (the embedded PostgreSQL Baton runs, or an H2 file with {@code WRITE_DELAY=0}), and Baton on them
 * with every statement of its pool counted.
 */
final class BenchStack implements AutoCloseable {
    /** The database a bench runs on. */
    enum Db {
        h2,
        postgres
    }

    final BatonServer server;
    final SqlCount sql;
    final RunWaiter waiter;
    /** Product and version, as the driver reports them. */
    final String database;

    private final Db db;
    private final Path postgresDir;
    private long clockTicks;

    private BenchStack(BatonServer server, SqlCount sql, Db db, Path postgresDir) throws Exception {
        this.server = server;
        this.sql = sql;
        this.db = db;
        this.postgresDir = postgresDir;
        try (var c = server.dataSource().getConnection()) {
            var meta = c.getMetaData();
            this.database = meta.getDatabaseProductName() + " "
                    + meta.getDatabaseProductVersion().split(" ")[0];
        }
        this.waiter = new RunWaiter(server);
    }

    /** Empties {@code data}, writes the agent and the pipelines (file name → YAML) there, and starts Baton. */
    static BenchStack start(Path data, Db db, Map<String, String> pipelines, int agentConcurrency) throws Exception {
        Path postgresDir = data.resolve("state").resolve("postgres");
        EmbeddedPostgres.stopLeftOver(postgresDir);
        deleteTree(data);
        Path routes = Files.createDirectories(data.resolve("routes"));
        Path config = Files.createDirectories(data.resolve("config"));
        Files.copy(Path.of("config", "application.properties"), config.resolve("application.properties"));
        Files.writeString(
                config.resolve("agents.yaml"),
                "agents:\n  bench: {kind: demo, concurrency: " + agentConcurrency + ", output: {ok: true}}\n");
        for (var p : pipelines.entrySet()) {
            Files.writeString(routes.resolve(p.getKey()), p.getValue());
        }
        var overrides = new BatonSettings.Overrides(
                routes, config, data.resolve("state"), freePort(), freePort(), freePort(), freePort());
        BatonSettings settings = BatonSettings.load(overrides);
        // Set here, not in the file, so that a baton.db.url given with -D cannot silently measure another database.
        BatonSettings.DbSettings store = db == Db.h2
                ? settings.db()
                        .on(
                                "jdbc:h2:file:"
                                        + settings.dataDir().resolve("db").resolve("baton")
                                        + ";WRITE_DELAY=0;LOCK_TIMEOUT=20000",
                                "sa",
                                "")
                : settings.db().on("", EmbeddedPostgres.USER, "");
        SqlCount sql = new SqlCount();
        BatonServer server = BatonServer.start(settings.withDb(store), System::getenv, sql.around());
        try {
            return new BenchStack(server, sql, db, postgresDir);
        } catch (Exception e) {
            server.close();
            throw e;
        }
    }

    /** Where {@link #bytesWritten} comes from, for the figure's note. */
    String bytesSource() {
        return db == Db.postgres
                ? "PostgreSQL's WAL: pg_wal_lsn_diff of pg_current_wal_lsn() at both ends"
                : "H2's file writes: INFORMATION_SCHEMA.SETTINGS info.FILE_WRITE_BYTES at both ends";
    }

    /** A counter of the bytes the database has written so far: its WAL position, or H2's file writes since it opened. */
    long bytesWritten() throws Exception {
        String query = db == Db.postgres
                ? "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')"
                : "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'info.FILE_WRITE_BYTES'";
        try (var c = server.dataSource().getConnection();
                var st = c.createStatement();
                ResultSet rs = st.executeQuery(query)) {
            if (!rs.next()) {
                throw new IllegalStateException(database + " did not answer " + query);
            }
            long bytes = new java.math.BigDecimal(rs.getString(1)).longValueExact();
            c.commit();
            return bytes;
        }
    }

    /**
     * The CPU time the PostgreSQL server's processes have used so far, in nanoseconds: the postmaster's, its live
     * children's (the pool's backends, the WAL writer, the checkpointer ...) and that of the children it has reaped;
     * 0 on H2, which runs inside Baton's JVM. Read from /proc (Linux, where the embedded server runs).
     */
    long serverCpuNanos() throws IOException, InterruptedException {
        if (db == Db.h2) {
            return 0;
        }
        long pid = Long.parseLong(
                Files.readAllLines(postgresDir.resolve("postmaster.pid")).get(0).trim());
        ProcessHandle postmaster = ProcessHandle.of(pid)
                .orElseThrow(() -> new IllegalStateException("the PostgreSQL server (pid " + pid + ") is gone"));
        long ticks = cpuTicks(pid, true);
        for (ProcessHandle child : postmaster.descendants().toList()) {
            ticks += cpuTicks(child.pid(), false);
        }
        return ticks * 1_000_000_000L / ticksPerSecond();
    }

    /** utime + stime (and the reaped children's cutime + cstime) from /proc/PID/stat; 0 for a process gone since. */
    private static long cpuTicks(long pid, boolean withReapedChildren) throws IOException {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (java.nio.file.NoSuchFileException e) {
            return 0;
        }
        // fields after "pid (comm)": state is field 3, utime 14, stime 15, cutime 16, cstime 17 (proc(5))
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long t = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return withReapedChildren ? t + Long.parseLong(f[13]) + Long.parseLong(f[14]) : t;
    }

    private long ticksPerSecond() throws IOException, InterruptedException {
        if (clockTicks == 0) {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("getconf CLK_TCK failed");
            }
            clockTicks = Long.parseLong(out.trim());
        }
        return clockTicks;
    }

    @Override
    public void close() throws jakarta.jms.JMSException {
        try (server) {
            waiter.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
