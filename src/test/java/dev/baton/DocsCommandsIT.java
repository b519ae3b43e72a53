package dev.baton;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the commands of the docs as a reader would: for each page with {@code sh} blocks, a fresh copy of the
 * repository's folders (a fresh clone, as far as Baton can tell), {@code ./baton run} started in it from the packaged
 * jar, then every {@code sh} block of the page in order in one bash session with {@code set -euo pipefail}. A command
 * that exits non-zero fails the page.
 *
 * <p>Only what cannot be typed as written here changes: the server listens on free ports (so {@code :8080} in a
 * command becomes its port, and {@code BATON_SERVER} and {@code BATON_STOMP_PORT} say where it is), and a line
 * {@code # restart ./baton run ...} restarts it, as the reader does by hand.
 */
class DocsCommandsIT {
    private static final long PAGE_TIMEOUT_MINUTES = 10;

    @TempDir
    Path tmp;

    @TestFactory
    Stream<DynamicTest> everyShBlockOfEveryPageRuns() {
        List<Path> pages = DocPages.all().stream()
                .filter(p -> DocPages.blocks(p).stream().anyMatch(DocPages.Block::run))
                .toList();
        assertThat(pages).as("pages with sh blocks").contains(Path.of("README.md"), Path.of("routes/README.md"));
        // -Ddocs.page=routes/README.md runs one page, for whoever is editing it.
        String only = System.getProperty("docs.page", "");
        return pages.stream()
                .filter(p -> only.isEmpty() || p.equals(Path.of(only)))
                .map(page -> DynamicTest.dynamicTest(page.toString(), () -> runPage(page)));
    }

    /** The first command of the README, which its block does not run as a block (it holds the test suite too). */
    @Test
    void theReadmesDemoCommandSucceeds() throws Exception {
        DocPages.Block start = DocPages.blocks(Path.of("README.md")).get(0);
        String demo = start.lines().stream()
                .filter(l -> l.startsWith("./baton demo"))
                .findFirst()
                .orElseThrow();
        Path sandbox = sandbox(tmp.resolve("demo"));
        Path script = sandbox.resolve("docs-demo.sh");
        Files.writeString(script, "set -euo pipefail\nset -x\n" + demo + "\n");
        Result r = bash(sandbox, script, "README.md-demo");
        assertThat(r.exit()).as("exit of: " + demo + "\n" + r.tail()).isZero();
        assertThat(r.output()).as("the demo's last line").containsPattern("(\\d+) of \\1 runs SUCCEEDED");
    }

    private void runPage(Path page) throws Exception {
        Path sandbox = sandbox(tmp.resolve(page.toString().replace('/', '_')));
        int port = TestBaton.freePort();
        int stomp = TestBaton.freePort();
        StringBuilder script =
                new StringBuilder("""
                set -euo pipefail
                export BATON_SERVER=http://127.0.0.1:%1$d BATON_STOMP_PORT=%3$d
                baton_start() {
                  ./baton run --port %1$d --broker-port %2$d --stomp-port %3$d --amqp-port %4$d >> baton-run.log 2>&1 &
                  BATON_PID=$!
                  for _ in $(seq 1 900); do
                    if curl -sf -o /dev/null "$BATON_SERVER/api/health"; then return 0; fi
                    if ! kill -0 "$BATON_PID" 2>/dev/null; then echo "./baton run exited; see baton-run.log" >&2; return 1; fi
                    sleep 0.2
                  done
                  echo "./baton run did not answer /api/health in 3 minutes" >&2
                  return 1
                }
                baton_stop() { kill -TERM "$BATON_PID" 2>/dev/null || true; wait "$BATON_PID" 2>/dev/null || true; }
                trap 'set +e; for j in $(jobs -p); do kill -TERM "$j" 2>/dev/null; done; baton_stop' EXIT
                baton_start
                set -x
                """.formatted(port, TestBaton.freePort(), stomp, TestBaton.freePort()));
        int blocks = 0;
        for (DocPages.Block b : DocPages.blocks(page)) {
            if (!b.run()) continue;
            blocks++;
            script.append(": ---- ").append(b.where()).append('\n');
            for (String line : b.lines()) {
                script.append(adapt(line, port)).append('\n');
            }
        }
        Path file = sandbox.resolve("docs-commands.sh");
        Files.writeString(file, script);
        Result r = bash(sandbox, file, page.toString().replace('/', '_'));
        assertThat(r.exit())
                .as(page + ": " + blocks + " sh block(s) in " + sandbox + "; the end of the output:\n" + r.tail()
                        + "\nthe end of ./baton run's log:\n" + tail(sandbox.resolve("baton-run.log")))
                .isZero();
    }

    /** The line as this run types it: the server's port for 8080, a restart where the reader restarts by hand. */
    static String adapt(String line, int port) {
        if (line.startsWith("# restart ./baton run")) {
            return "{ set +x; } 2>/dev/null; baton_stop; baton_start; set -x   " + line;
        }
        return line.replace("127.0.0.1:8080", "127.0.0.1:" + port).replace("localhost:8080", "127.0.0.1:" + port);
    }

    /** What a fresh clone has that the commands use; target/ is shared, so ./baton finds the jar mvn packaged. */
    private static Path sandbox(Path dir) throws IOException {
        Path jar = Path.of("target", "baton.jar").toAbsolutePath();
        if (!Files.exists(jar)) throw new IllegalStateException(jar + " is missing: run mvn verify (package first)");
        Files.createDirectories(dir);
        for (String folder : List.of("routes", "config", "broker", "examples", "tools")) {
            copy(Path.of(folder), dir.resolve(folder));
        }
        Files.copy(Path.of("baton"), dir.resolve("baton"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.createSymbolicLink(dir.resolve("target"), Path.of("target").toAbsolutePath());
        return dir;
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f :
                    files.filter(f -> !f.toString().contains("node_modules")).toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    /** What a script printed (stdout and stderr together, kept under target/it-logs) and its exit code. */
    record Result(int exit, String output) {
        String tail() {
            return DocsCommandsIT.tail(output);
        }
    }

    private static Result bash(Path dir, Path script, String name) throws Exception {
        Path log = Path.of("target", "it-logs").toAbsolutePath().resolve("docs-" + name + ".log");
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // The reader's shell, not this JVM's: no credentials or server of the developer's leak in.
        for (String v : List.of(
                "BATON_API_KEY",
                "BATON_USER",
                "BATON_PASSWORD",
                "BATON_SERVER",
                "BATON_BROKER_USER",
                "BATON_BROKER_PASSWORD",
                "BATON_STOMP_HOST",
                "BATON_STOMP_PORT")) {
            pb.environment().remove(v);
        }
        // Each ./baton command is a JVM: a small heap and the quick JIT keep a page's dozens of them light.
        pb.environment().put("BATON_JAVA_OPTS", "-Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
        Process p = pb.start();
        if (!p.waitFor(PAGE_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
            tree.forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            return new Result(-1, Files.readString(log) + "\n[timed out after " + PAGE_TIMEOUT_MINUTES + " minutes]");
        }
        return new Result(p.exitValue(), Files.readString(log));
    }

    private static String tail(Path file) throws IOException {
        return Files.exists(file) ? tail(Files.readString(file)) : "(none)";
    }

    private static String tail(String text) {
        String[] lines = text.split("\n");
        return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 60), lines.length));
    }
}
