package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.pipeline.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A small HTTP client for the REST API; a failed request becomes a {@link ClientException} with its exit code. */
final class BatonClient {
    private final String server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    BatonClient(String server) {
        this.server = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
    }

    JsonNode get(String path) {
        return send(HttpRequest.newBuilder(URI.create(server + path)).GET().build());
    }

    JsonNode post(String path, String json, String idempotencyKey) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (idempotencyKey != null) b.header("Idempotency-Key", idempotencyKey);
        return send(b.build());
    }

    private JsonNode send(HttpRequest unsigned) {
        String authorization = ClientCredentials.authorization();
        HttpRequest request = authorization == null ? unsigned
                : HttpRequest.newBuilder(unsigned, (n, v) -> true).header("Authorization", authorization).build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new ClientException(3, "cannot reach " + server + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientException(1, "interrupted");
        }
        JsonNode body = response.body().isBlank() ? Json.object() : Json.parse(response.body());
        if (response.statusCode() >= 400) {
            List<String> lines = new ArrayList<>();
            lines.add(response.statusCode() + " " + body.path("detail").asText(body.path("title").asText("error")));
            body.path("errors").forEach(e -> lines.add("  " + e.asText()));
            if (response.statusCode() == 401) {
                lines.add("  set BATON_API_KEY (or BATON_USER and BATON_PASSWORD)");
            }
            throw new ClientException(response.statusCode() < 500 ? 2 : 1, String.join("\n", lines));
        }
        return body;
    }
}
