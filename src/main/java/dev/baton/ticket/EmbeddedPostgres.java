package dev.baton.ticket;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL server Baton uses when no {@code baton.db.url} is set: started on {@code <data>/postgres}, stopped
 * with Baton, and never left running by a Baton that died (a watchdog stops it, and the next start stops what a
 * watchdog could not).
 */
public final class EmbeddedPostgres implements AutoCloseable {
    /** The role and database Baton uses on it; the role's password is in {@code baton.password} in the folder. */
    public static final String USER = "baton";

    public static final String DATABASE = "baton";
    static final String PASSWORD_FILE = "baton.password";
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);

    private final PostgresBinaries binaries;
    private final Path dir;
    private final int port;
    private final String password;
    private final FileChannel lockFile;
    private final FileLock lock;
    /** Holds the write end of the watchdog's standard input: it is closed when this JVM ends, however it ends. */
    private Process watchdog;

    private EmbeddedPostgres(
            PostgresBinaries binaries, Path dir, int port, String password, FileChannel lockFile, FileLock lock) {
        this.binaries = binaries;
        this.dir = dir;
        this.port = port;
        this.password = password;
        this.lockFile = lockFile;
        this.lock = lock;
    }

    /**
     * Starts the server on {@code <dataDir>/postgres}, on {@code port} (0: a free one); warns about an H2 database an
     * earlier Baton left in {@code <dataDir>/db}, which this one does not read.
     */
    public static EmbeddedPostgres startIn(Path dataDir, int port) throws IOException, InterruptedException {
        Path h2 = dataDir.resolve("db").resolve("baton.mv.db");
        if (Files.exists(h2)) {
            LOG.warn(
                    "{} is the H2 database of an earlier Baton; Baton now keeps its data in PostgreSQL under {}, so "
                            + "the runs in that file are not seen here; to go on with them, set baton.db.url = "
                            + "jdbc:h2:file:{};WRITE_DELAY=0;LOCK_TIMEOUT=20000 (and baton.db.user = sa)",
                    h2,
                    dataDir.resolve("postgres"),
                    dataDir.resolve("db").resolve("baton"));
        }
        return start(dataDir.resolve("postgres"), port);
    }

    /**
     * Starts the server on {@code dir} (created from a template cluster on first use), on {@code port} or on a free
     * loopback port if it is 0.
     */
    public static EmbeddedPostgres start(Path dir, int port) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        dir = dir.toAbsolutePath().normalize();
        PostgresBinaries binaries = PostgresBinaries.unpack();
        Files.createDirectories(dir.getParent());
        // One Baton per folder: the lock goes with the process that holds it, kill -9 included.
        FileChannel ch = lockFile(dir);
        FileLock lock = ch.tryLock();
        if (lock == null) {
            ch.close();
            throw inUse(dir);
        }
        try {
            stopLeftOver(binaries, dir);
            if (!Files.exists(dir.resolve("PG_VERSION"))) PostgresClusters.create(binaries, dir);
            String password = Files.readString(dir.resolve(PASSWORD_FILE), StandardCharsets.UTF_8)
                    .trim();
            int chosen = port != 0 ? port : freePort();
            EmbeddedPostgres pg = new EmbeddedPostgres(binaries, dir, chosen, password, ch, lock);
            pg.startServer();
            LOG.info(
                    "PostgreSQL 14 up in {} ms on 127.0.0.1:{} (data {}, user {}, password in {})",
                    (System.nanoTime() - t0) / 1_000_000,
                    chosen,
                    dir,
                    USER,
                    dir.resolve(PASSWORD_FILE));
            return pg;
        } catch (IOException | InterruptedException | RuntimeException e) {
            lock.release();
            ch.close();
            throw e;
        }
    }

    /**
     * Stops a server that a Baton which died left running on {@code dir}, if any: for a caller about to delete the
     * folder (the demo) or to start on it.
     */
    public static void stopLeftOver(Path dir) throws IOException, InterruptedException {
        dir = dir.toAbsolutePath().normalize();
        if (!Files.exists(dir.resolve("postmaster.pid"))) return;
        try (FileChannel ch = lockFile(dir);
                FileLock lock = ch.tryLock()) {
            if (lock == null) throw inUse(dir);
            stopLeftOver(PostgresBinaries.unpack(), dir);
        }
    }

    private static FileChannel lockFile(Path dir) throws IOException {
        return FileChannel.open(
                dir.resolveSibling(dir.getFileName() + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    }

    private static IllegalStateException inUse(Path dir) {
        return new IllegalStateException(dir + " is in use by another Baton process; give this one another --data");
    }

    private static void stopLeftOver(PostgresBinaries binaries, Path dir) throws IOException, InterruptedException {
        Path pidFile = dir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) return;
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        if (lines.isEmpty() || lines.get(0).isBlank()) return;
        long pid = Long.parseLong(lines.get(0).trim());
        // postgres itself ignores a postmaster.pid whose process is gone; a live one must be this folder's server,
        // not another program that was given the pid after a reboot.
        boolean ours = ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .map(h -> h.info().command().orElse("").endsWith("postgres")
                        && String.join(" ", h.info().arguments().orElse(new String[0]))
                                .contains(dir.toString()))
                .orElse(false);
        if (!ours) return;
        LOG.warn(
                "stopping the PostgreSQL server (pid {}) that a Baton process which ended without stopping it left "
                        + "running on {}",
                pid,
                dir);
        PostgresCommands.run(
                binaries.command("pg_ctl", "-D", dir.toString(), "-m", "fast", "-w", "-t", "60", "stop"),
                "stopping the PostgreSQL server left running on " + dir);
    }

    private void startServer() throws IOException, InterruptedException {
        Path log = dir.resolve("postgres.log");
        try {
            PostgresCommands.run(
                    binaries.command(
                            "pg_ctl",
                            "-D",
                            dir.toString(),
                            "-l",
                            log.toString(),
                            "-w",
                            "-t",
                            "120",
                            "-o",
                            "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c timezone=UTC",
                            "start"),
                    "starting PostgreSQL on " + dir + " (port " + port + ")");
        } catch (IllegalStateException e) {
            throw new IllegalStateException(
                    e.getMessage() + "; its log " + log + " ends:\n" + PostgresCommands.tail(log, 15), e);
        }
        List<String> stop = binaries.command("pg_ctl", "-D", dir.toString(), "-m", "fast", "-w", "-t", "60", "stop");
        List<String> cmd = new ArrayList<>(
                List.of("sh", "-c", "while read -r _; do :; done; exec \"$@\"", "baton-postgres-watchdog"));
        cmd.addAll(stop);
        // The watchdog waits on a pipe nothing writes to: when this JVM ends, even by kill -9, the pipe closes and
        // the watchdog stops the server, as close() would have.
        watchdog = new ProcessBuilder(cmd)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    public String password() {
        return password;
    }

    public int port() {
        return port;
    }

    /** Stops the server (a fast shutdown: open sessions are ended) and frees the folder for another process. */
    @Override
    public void close() {
        try {
            if (watchdog != null) {
                watchdog.destroy();
                watchdog.waitFor();
            }
            PostgresCommands.run(
                    binaries.command("pg_ctl", "-D", dir.toString(), "-m", "fast", "-w", "-t", "60", "stop"),
                    "stopping PostgreSQL on " + dir);
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                lock.release();
                lockFile.close();
            } catch (IOException e) {
                LOG.warn("releasing {}: {}", dir, e.getMessage());
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static String randomPassword() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
