package dev.baton.ticket;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

/**
 * Makes a new PostgreSQL cluster (data folder) by copying a template that initdb made once per machine, which takes a
 * fraction of initdb's time, then giving its role a password of its own.
 */
// try-with-resources whose resource is never read: the file lock is held for the block it encloses.
@SuppressWarnings("try")
final class PostgresClusters {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PostgresClusters.class);

    private PostgresClusters() {}

    /** Creates the cluster {@code dir}: complete, with the role's password in it, or not at all. */
    static void create(PostgresBinaries binaries, Path dir) throws IOException, InterruptedException {
        Path template = template(binaries);
        Path tmp = dir.resolveSibling(dir.getFileName() + ".creating");
        PostgresBinaries.deleteTree(tmp);
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    throw new IllegalStateException(
                            dir + " is not empty but holds no PostgreSQL cluster (no PG_VERSION); "
                                    + "move it away and start again");
                }
            }
            Files.delete(dir);
        }
        long t0 = System.nanoTime();
        copy(template, tmp);
        String password = EmbeddedPostgres.randomPassword();
        // Single-user mode listens on no socket: nobody can use the template's password in the meantime.
        single(
                binaries,
                tmp,
                EmbeddedPostgres.DATABASE,
                "ALTER ROLE " + EmbeddedPostgres.USER + " PASSWORD '" + password + "';\n");
        Path pw = tmp.resolve(EmbeddedPostgres.PASSWORD_FILE);
        Files.writeString(pw, password + "\n", StandardCharsets.UTF_8);
        setOwnerOnly(pw, "rw-------");
        // The copy sits in the page cache: write it to disk before it becomes the cluster a power cut must not undo.
        PostgresCommands.run(
                binaries.command("initdb", "-D", tmp.toString(), "--sync-only"), "writing " + tmp + " to disk");
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        LOG.info("created the PostgreSQL cluster {} in {} ms", dir, (System.nanoTime() - t0) / 1_000_000);
        try (FileChannel parent = FileChannel.open(dir.getParent(), StandardOpenOption.READ)) {
            parent.force(true);
        } catch (IOException e) {
            // not every platform can sync a folder; the rename is then as durable as the file system makes it
        }
    }

    /** The template cluster under the cache folder: initdb with role and database {@code baton}, made once. */
    private static Path template(PostgresBinaries binaries) throws IOException, InterruptedException {
        // "-cluster2": a template made the way this code makes it (a smaller one replaced the first)
        Path template = binaries.home().resolveSibling(binaries.home().getFileName() + "-cluster2");
        if (Files.exists(template.resolve("PG_VERSION"))) return template;
        try (FileChannel ch = FileChannel.open(
                        template.resolveSibling(template.getFileName() + ".lock"),
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE);
                FileLock lock = ch.lock()) {
            if (Files.exists(template.resolve("PG_VERSION"))) return template;
            LOG.info(
                    "first start with these PostgreSQL programs: making the template cluster {} (initdb, once)",
                    template);
            Path tmp = template.resolveSibling(template.getFileName() + ".creating");
            PostgresBinaries.deleteTree(tmp);
            Path pwfile = Files.createTempFile("baton-postgres-", ".pw");
            try {
                Files.writeString(pwfile, EmbeddedPostgres.randomPassword() + "\n", StandardCharsets.UTF_8);
                PostgresCommands.run(
                        binaries.command(
                                "initdb",
                                "-D",
                                tmp.toString(),
                                "-U",
                                EmbeddedPostgres.USER,
                                "-A",
                                "scram-sha-256",
                                "--pwfile=" + pwfile,
                                "-E",
                                "UTF8",
                                "--locale=C",
                                "--no-sync",
                                // 4 MB WAL segments instead of 16 and no "postgres" database: a smaller copy to write
                                // to
                                // disk at each new cluster
                                "--wal-segsize=4"),
                        "creating a PostgreSQL cluster in " + tmp);
            } finally {
                Files.deleteIfExists(pwfile);
            }
            single(
                    binaries,
                    tmp,
                    "template1",
                    "CREATE DATABASE " + EmbeddedPostgres.DATABASE + ";\nDROP DATABASE postgres;\n");
            Files.move(tmp, template, StandardCopyOption.ATOMIC_MOVE);
        }
        return template;
    }

    /** Runs SQL in single-user mode (no server, no socket); its errors are printed, not returned, so they are read. */
    private static void single(PostgresBinaries binaries, Path cluster, String database, String sql)
            throws IOException, InterruptedException {
        String out = PostgresCommands.run(
                binaries.command("postgres", "--single", "-D", cluster.toString(), "-c", "listen_addresses=", database),
                sql,
                "running PostgreSQL in single-user mode on " + cluster);
        if (out.contains("ERROR:") || out.contains("FATAL:")) {
            throw new IllegalStateException("PostgreSQL in single-user mode on " + cluster + " failed: " + out.strip());
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                    setOwnerOnly(target, "rwx------");
                } else if (!p.getFileName().toString().equals("postmaster.pid")) {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static void setOwnerOnly(Path p, String perms) throws IOException {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: PostgreSQL does not check modes there either
        }
    }
}
