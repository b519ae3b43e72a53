package dev.baton.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.BatonServer;
import dev.baton.LogCapture;
import dev.baton.TestBaton;
import dev.baton.config.BatonSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fresh installation: with nobody in {@code security.yaml} the API takes only the initial admin key that
 * {@code run} writes under the data folder; the demo's open mode asks for nothing.
 */
class FreshInstallTest {
    @TempDir
    Path root;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void withoutConfiguredCredentialsOnlyTheInitialAdminKeyIsAccepted() throws Exception {
        Files.createDirectories(root.resolve("config"));
        Files.createDirectories(root.resolve("routes"));
        Files.copy(Path.of("config/security.yaml"), root.resolve("config/security.yaml"));
        int port = TestBaton.freePort();
        var settings = BatonSettings.load(new BatonSettings.Overrides(
                root.resolve("routes"), root.resolve("config"), root.resolve("data"), port, TestBaton.freePort()));
        try (BatonServer server = BatonServer.start(settings)) {
            Path keyFile = root.resolve("data/initial-admin.key");
            assertThat(keyFile).exists();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)))
                    .isEqualTo("rw-------");
            String key = Files.readString(keyFile).strip();
            assertThat(key).startsWith("bk_").hasSizeGreaterThan(40);
            assertThat(status(port, null)).isEqualTo(401);
            assertThat(status(port, "Bearer " + key)).isEqualTo(200);
            assertThat(status(port, "Bearer bk_guess")).isEqualTo(401);
        }
        int again = TestBaton.freePort();
        var open = BatonSettings.load(new BatonSettings.Overrides(
                        root.resolve("routes"),
                        root.resolve("config"),
                        root.resolve("data2"),
                        again,
                        TestBaton.freePort()))
                .withOpenApi();
        try (LogCapture log = new LogCapture("dev.baton.api.auth.SecurityBootstrap", Level.WARN, "%p %m%n");
                BatonServer server = BatonServer.start(open)) {
            assertThat(log.text())
                    .as("it says so loudly at start")
                    .contains("WARN * THE REST API IS OPEN: no credentials are asked, every caller is admin.");
            assertThat(status(again, null)).as("the demo runs open").isEqualTo(200);
            assertThat(root.resolve("data2/initial-admin.key")).doesNotExist();
        }
    }

    private int status(int port, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/runs"));
        if (authorization != null) b.header("Authorization", authorization);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
