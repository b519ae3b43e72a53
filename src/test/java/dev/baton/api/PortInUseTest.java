package dev.baton.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.BatonServer;
import dev.baton.TestBaton;
import dev.baton.TestSecurity;
import dev.baton.config.BatonSettings;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Camel's HTTP server only logs a failed bind; Baton must not say it is up while another process answers on its
 * port (a test once sent its requests to another test's server and waited a minute for an answer).
 */
class PortInUseTest {
    @TempDir
    Path root;

    @Test
    void aTakenHttpPortStopsTheStartWithTheReasonAndLeavesNothingRunning() throws Exception {
        Files.createDirectories(root.resolve("config"));
        Files.createDirectories(root.resolve("routes"));
        Files.writeString(root.resolve("config/agents.yaml"), "agents: {}\n");
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> BatonServer.start(settings(port)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("the REST API cannot listen on 127.0.0.1:" + port
                            + " (is another process using the port? set camel.server.port or --port)");
        }
        // the failed start closed what it had opened: the same data folder (database, broker journal) starts again
        int port = TestBaton.freePort();
        try (BatonServer server = BatonServer.start(settings(port))) {
            assertThat(server.settings().httpPort()).isEqualTo(port);
        }
    }

    private BatonSettings settings(int port) throws Exception {
        return BatonSettings.load(new BatonSettings.Overrides(
                        root.resolve("routes"),
                        root.resolve("config"),
                        root.resolve("data"),
                        port,
                        TestBaton.freePort(),
                        TestBaton.freePort(),
                        TestBaton.freePort()))
                .withSecurityFile(TestSecurity.write(root.resolve("test-security.yaml")));
    }
}
