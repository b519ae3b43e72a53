package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.TestBaton;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;

/**
 * The MCP project's reference server ({@code @modelcontextprotocol/server-everything} from npm, installed in
 * tools/mcp by {@code npm ci --prefix tools/mcp}): its stdio command line, or a streamable HTTP instance on a free
 * loopback port. A test that needs it fails, saying how to install it, when it is missing.
 */
final class EverythingServer implements AutoCloseable {
    static final Path INDEX = Path.of("tools/mcp/node_modules/@modelcontextprotocol/server-everything/dist/index.js")
            .toAbsolutePath();
    private final Process process;
    private final int port;

    private EverythingServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Fails the calling test when the server is not installed. */
    static void requireInstalled() {
        assertThat(INDEX)
                .as("the MCP test server is not installed: run `npm ci --prefix tools/mcp` (.ci/run does)")
                .exists();
    }

    /** The stdio command line, as YAML flow list items. */
    static String stdioCommand() {
        requireInstalled();
        return "[node, \"" + INDEX + "\", stdio]";
    }

    /** Starts the streamable HTTP transport on a free loopback port and waits until it accepts connections. */
    static EverythingServer startHttp(Path logDir) throws IOException {
        requireInstalled();
        int port = TestBaton.freePort();
        Files.createDirectories(logDir);
        ProcessBuilder pb = new ProcessBuilder(List.of(
                        "node",
                        "--require",
                        Path.of("tools/mcp/loopback.cjs").toAbsolutePath().toString(),
                        INDEX.toString(),
                        "streamableHttp"))
                .redirectErrorStream(true)
                .redirectOutput(logDir.resolve("mcp-everything-http.log").toFile());
        pb.environment().put("PORT", Integer.toString(port));
        EverythingServer s = new EverythingServer(pb.start(), port);
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    assertThat(s.process.isAlive())
                            .as("MCP server exited; see " + logDir)
                            .isTrue();
                    try (Socket socket = new Socket("127.0.0.1", port)) {
                        return true;
                    } catch (IOException e) {
                        return false;
                    }
                });
        return s;
    }

    String url() {
        return "http://127.0.0.1:" + port + "/mcp";
    }

    @Override
    public void close() {
        process.destroy();
    }
}
