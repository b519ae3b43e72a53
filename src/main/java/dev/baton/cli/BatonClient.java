package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.pipeline.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/** A small HTTP client for the REST API; a failed request becomes a {@link ClientException} with its exit code. */
final class BatonClient {
    private final String server;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** @param authorization the Authorization header to send with every request, or null */
    BatonClient(String server, String authorization) {
        this.server = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
        this.authorization = authorization;
    }

    JsonNode get(String path) {
        return send(request(path).GET().build());
    }

    JsonNode post(String path, String json, String idempotencyKey) {
        HttpRequest.Builder b = request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (idempotencyKey != null) b.header("Idempotency-Key", idempotencyKey);
        return send(b.build());
    }

    /** A path segment, percent-encoded, so that a run id or stage name can never change the path. */
    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** {@code ?k=v&...} of the parameters that are not null, encoded; empty when none is. */
    static String query(Map<String, ?> params) {
        StringJoiner q = new StringJoiner("&", "?", "").setEmptyValue("");
        params.forEach((k, v) -> {
            if (v != null) q.add(k + "=" + URLEncoder.encode(v.toString(), StandardCharsets.UTF_8));
        });
        return q.toString();
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server + path)).header("Accept", "application/json");
        if (authorization != null) b.header("Authorization", authorization);
        return b;
    }

    private JsonNode send(HttpRequest request) {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new ClientException(ExitCode.UNREACHABLE, "cannot reach " + server + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientException(ExitCode.RUN_FAILED, "interrupted");
        }
        JsonNode body;
        try {
            body = response.body().isBlank() ? Json.object() : Json.parse(response.body());
        } catch (IllegalArgumentException e) {
            throw new ClientException(response.statusCode() >= 400 ? ExitCode.ofHttp(response.statusCode()) : ExitCode.UNREACHABLE,
                    response.statusCode() + " from " + server + " is not JSON; is it a Baton server?");
        }
        if (response.statusCode() >= 400) {
            List<String> lines = new ArrayList<>();
            lines.add(response.statusCode() + " " + body.path("detail").asText(body.path("title").asText("error")));
            body.path("errors").forEach(e -> lines.add("  " + e.asText()));
            if (response.statusCode() == 401) {
                lines.add("  set BATON_API_KEY (or BATON_USER and BATON_PASSWORD)");
            }
            throw new ClientException(ExitCode.ofHttp(response.statusCode()), String.join("\n", lines), body);
        }
        return body;
    }
}
