package dev.baton.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.TestBaton;
import dev.baton.TestSecurity;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /api/events/stream}: guarded like the API, carries a run's events, and lets go of a closed client. */
class EventStreamTest {
    @TempDir
    static Path root;

    static TestBaton baton;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(root, "default: {kind: demo}\n", Map.of("greet.yaml", RunApiTest.PIPELINE));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    private HttpRequest.Builder stream(String query) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + baton.port + "/api/events/stream" + query));
    }

    @Test
    void withoutCredentialsTheStreamIsRefused() throws Exception {
        HttpResponse<String> r = http.send(stream("").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        HttpResponse<String> bad = http.send(
                stream("").header("Authorization", "Bearer nope").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(401);
    }

    @Test
    void streamsAreBoundedInNumberAndPerIdentity() throws Exception {
        List<java.io.InputStream> open = new ArrayList<>();
        List<String> identities = new ArrayList<>(TestSecurity.IDENTITIES.keySet());
        try {
            for (int i = 0; i < EventStream.MAX_STREAMS_PER_IDENTITY; i++) {
                open.add(openStream("viewer", 200));
            }
            HttpResponse<String> mine = http.send(
                    stream("")
                            .header("Authorization", "Bearer " + TestSecurity.apiKey("viewer"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(mine.statusCode()).isEqualTo(503);
            assertThat(mine.body())
                    .contains("'viewer' has " + EventStream.MAX_STREAMS_PER_IDENTITY
                            + " event streams open, the most one identity may");
            // Everyone else still gets theirs, up to the limit of the process.
            for (int i = EventStream.MAX_STREAMS_PER_IDENTITY; i < EventStream.MAX_STREAMS; i++) {
                String who = identities.get(1 + i / EventStream.MAX_STREAMS_PER_IDENTITY);
                open.add(openStream(who, 200));
            }
            HttpResponse<String> over = http.send(
                    stream("")
                            .header(
                                    "Authorization",
                                    "Bearer " + TestSecurity.apiKey(identities.get(identities.size() - 1)))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(over.statusCode()).isEqualTo(503);
            assertThat(over.headers().firstValue("Retry-After")).hasValue("5");
            assertThat(over.body()).contains(EventStream.MAX_STREAMS + " event streams are open");
        } finally {
            for (java.io.InputStream in : open) in.close();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> baton.server.events().open() == 0);
    }

    private java.io.InputStream openStream(String who, int status) throws Exception {
        HttpResponse<java.io.InputStream> r = http.send(
                stream("?run=none")
                        .header("Authorization", "Bearer " + TestSecurity.apiKey(who))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).as("a stream of " + who).isEqualTo(status);
        return r.body();
    }

    @Test
    void aViewerFollowsOneRunToItsEndAndAClosedStreamIsLetGo() throws Exception {
        HttpResponse<java.io.InputStream> r = http.send(
                stream("")
                        .header("Authorization", "Bearer " + TestSecurity.apiKey("viewer"))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        await().atMost(Duration.ofSeconds(20)).until(() -> baton.server.events().open() == 1);
        List<String> data = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String id = baton.startRun("greet", "{\"who\": \"stream\"}");
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.startsWith("data: ")) {
                    data.add(line);
                    if (line.contains("\"runId\":\"" + id + "\"")
                            && line.contains("\"type\":\"run\"")
                            && line.contains("\"status\":\"SUCCEEDED\"")) {
                        break;
                    }
                }
            }
            assertThat(data)
                    .as("the run's events, in the shape of baton.events")
                    .anyMatch(l -> l.contains("\"runId\":\"" + id + "\"") && l.contains("\"type\":\"ticket\""));
        }
        // The client went away: the server ends its stream and, with none left, its subscription.
        await().atMost(Duration.ofSeconds(30)).until(() -> baton.server.events().open() == 0);
    }
}
