package dev.baton.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.BatonServer;
import dev.baton.TestBaton;
import dev.baton.TestSecurity;
import dev.baton.config.BatonSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * From the moment the HTTP port accepts a connection until the engine is ready, every path answers 503
 * problem+json with Retry-After: never Vert.x's HTML 404, never a 401 for a valid key (issue 18). The test knocks on
 * the port of a Baton that is starting, over and over, and checks every answer it got before the start returned.
 */
class StartingUpTest {
    @TempDir
    Path root;

    static final String KEY = "Authorization: Bearer " + TestSecurity.apiKey("admin");
    static final List<String> REQUESTS = List.of(
            "GET /api/health HTTP/1.1\r\nHost: x",
            "HEAD /api/health HTTP/1.1\r\nHost: x",
            "GET /api/runs HTTP/1.1\r\nHost: x\r\n" + KEY,
            "GET /api/runs/r1 HTTP/1.1\r\nHost: x",
            "GET /api/nope HTTP/1.1\r\nHost: x\r\n" + KEY,
            "GET / HTTP/1.1\r\nHost: x",
            "POST /api/pipelines/good/runs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + KEY);

    @Test
    void everyAnswerBeforeBatonIsReadyIsA503ProblemWithRetryAfter() throws Exception {
        Files.createDirectories(root.resolve("routes"));
        Files.createDirectories(root.resolve("config"));
        Files.writeString(root.resolve("config/agents.yaml"), "default: {kind: demo}\n");
        for (int i = 0; i < 20; i++) { // a few files to load keep the port open a while before Baton is ready
            Files.writeString(
                    root.resolve("routes/p" + i + ".yaml"),
                    BadInputCatalogueTest.GOOD.replace("name: good", "name: p" + i));
        }
        Files.writeString(root.resolve("routes/good.yaml"), BadInputCatalogueTest.GOOD);
        int port = TestBaton.freePort();
        BatonSettings settings = BatonSettings.load(new BatonSettings.Overrides(
                        root.resolve("routes"),
                        root.resolve("config"),
                        root.resolve("data"),
                        port,
                        TestBaton.freePort(),
                        TestBaton.freePort(),
                        TestBaton.freePort()))
                .withSecurityFile(TestSecurity.write(root.resolve("test-security.yaml")));

        CompletableFuture<BatonServer> starting = CompletableFuture.supplyAsync(() -> {
            try {
                return BatonServer.start(settings, System::getenv);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        List<RawHttp.Answer> whileStarting = new ArrayList<>();
        byte[] body = "{\"topic\": \"t\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int round = 0; round < 100_000 && !starting.isDone(); round++) {
            for (String request : REQUESTS) {
                RawHttp.Answer a;
                try {
                    a = RawHttp.send(port, request, request.startsWith("POST") ? body : new byte[0]);
                } catch (IOException e) {
                    continue; // not listening yet
                }
                if (!starting.isDone()) { // answered before start() returned, so before Baton was ready
                    whileStarting.add(a);
                }
            }
            Thread.sleep(5);
        }
        try (BatonServer server = starting.join()) {
            assertThat(whileStarting)
                    .as("answers while starting (the port opens before Baton is ready)")
                    .isNotEmpty();
            for (RawHttp.Answer a : whileStarting) {
                assertThat(a.status()).as(a.toString()).isEqualTo(503);
                assertThat(a.header("Retry-After")).as(a.toString()).isEqualTo("1");
                assertThat(a.header("Content-Type")).as(a.toString()).startsWith("application/problem+json");
                if (a.body().length > 0) { // HEAD has none
                    assertThat(a.json().path("detail").asText()).isEqualTo("Baton is starting; retry in a moment");
                }
            }
            assertThat(server.runs()).isNotNull();
            assertThat(RawHttp.send(port, "GET /api/health HTTP/1.1\r\nHost: x").status())
                    .isEqualTo(200);
            assertThat(RawHttp.send(port, REQUESTS.get(2)).status()).isEqualTo(200);
        }
    }
}
