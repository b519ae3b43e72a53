package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.pipeline.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Predicate;

/**
 * A small HTTP client for the REST API; a failed request becomes a {@link ClientException} with its exit code.
 *
 * <p>It is built on {@link HttpURLConnection}, not {@code java.net.http.HttpClient}: the latter sets up TLS (about 700
 * classes and the trust store) even for a plain {@code http://} call, which was a third of a client command's start.
 */
final class BatonClient {
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    /** An event stream sends a comment every 15 s; three missed ones mean the connection is dead. */
    private static final int STREAM_READ_TIMEOUT_MILLIS = 45_000;

    private final String server;
    private final String authorization;

    /** @param authorization the Authorization header to send with every request, or null */
    BatonClient(String server, String authorization) {
        this.server = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
        this.authorization = authorization;
    }

    String server() {
        return server;
    }

    JsonNode get(String path) {
        return send("GET", path, null, null, null);
    }

    JsonNode post(String path, String json, String idempotencyKey) {
        return send("POST", path, "application/json", json, idempotencyKey);
    }

    /** POST a body of the given content type (the pipeline YAML for {@code /api/pipelines/validate}). */
    JsonNode postText(String path, String contentType, String body) {
        return send("POST", path, contentType, body, null);
    }

    /**
     * Reads a server-sent event stream, handing each event's {@code data} to {@code each} until it returns false or
     * the server ends the stream; {@code opened} runs once the server has said the subscription is in place (its
     * {@code : open} comment), and stops the reading when it returns false.
     *
     * @return false when {@code opened} or {@code each} stopped the reading, true when the stream ended by itself
     */
    boolean stream(String path, java.util.function.BooleanSupplier opened, Predicate<String> each) {
        HttpURLConnection c = open("GET", path);
        c.setRequestProperty("Accept", "text/event-stream");
        c.setReadTimeout(STREAM_READ_TIMEOUT_MILLIS);
        try {
            int status = c.getResponseCode();
            if (status >= 400) {
                throw failure(status, read(c.getErrorStream()));
            }
            try (BufferedReader in =
                    new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8))) {
                StringBuilder data = new StringBuilder();
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.equals(": open")) {
                        if (!opened.getAsBoolean()) {
                            return false;
                        }
                    } else if (line.startsWith("data:")) {
                        if (data.length() > 0) data.append('\n');
                        data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
                    } else if (line.isEmpty() && data.length() > 0) {
                        if (!each.test(data.toString())) {
                            return false;
                        }
                        data.setLength(0);
                    }
                }
                return true;
            }
        } catch (IOException e) {
            throw unreachable(e);
        } finally {
            c.disconnect();
        }
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

    private HttpURLConnection open(String method, String path) {
        try {
            HttpURLConnection c =
                    (HttpURLConnection) URI.create(server + path).toURL().openConnection();
            c.setRequestMethod(method);
            c.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
            c.setInstanceFollowRedirects(false);
            c.setUseCaches(false);
            c.setRequestProperty("Accept", "application/json");
            if (authorization != null) c.setRequestProperty("Authorization", authorization);
            return c;
        } catch (IOException | IllegalArgumentException e) {
            throw new ClientException(ExitCode.INVALID, "cannot call " + server + path + ": " + e.getMessage());
        }
    }

    private JsonNode send(String method, String path, String contentType, String body, String idempotencyKey) {
        HttpURLConnection c = open(method, path);
        int status;
        String text;
        try {
            if (idempotencyKey != null) c.setRequestProperty("Idempotency-Key", idempotencyKey);
            if (body != null) {
                c.setDoOutput(true);
                c.setRequestProperty("Content-Type", contentType);
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                c.setFixedLengthStreamingMode(bytes.length);
                try (OutputStream out = c.getOutputStream()) {
                    out.write(bytes);
                }
            }
            status = c.getResponseCode();
            text = read(status >= 400 ? c.getErrorStream() : c.getInputStream());
        } catch (IOException e) {
            throw unreachable(e);
        }
        if (status >= 400) {
            throw failure(status, text);
        }
        try {
            return text.isBlank() ? Json.object() : Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ClientException(
                    ExitCode.UNREACHABLE, status + " from " + server + " is not JSON; is it a Baton server?");
        }
    }

    private ClientException unreachable(IOException e) {
        return new ClientException(ExitCode.UNREACHABLE, "cannot reach " + server + ": " + e);
    }

    private ClientException failure(int status, String text) {
        JsonNode body;
        try {
            body = text.isBlank() ? Json.object() : Json.parse(text);
        } catch (IllegalArgumentException e) {
            return new ClientException(
                    ExitCode.ofHttp(status), status + " from " + server + " is not JSON; is it a Baton server?");
        }
        List<String> lines = new ArrayList<>();
        lines.add(status + " " + body.path("detail").asText(body.path("title").asText("error")));
        body.path("errors").forEach(e -> lines.add("  " + e.asText()));
        if (status == 401) {
            lines.add("  set BATON_API_KEY (or BATON_USER and BATON_PASSWORD)");
        }
        return new ClientException(ExitCode.ofHttp(status), String.join("\n", lines), body);
    }

    private static String read(InputStream in) throws IOException {
        if (in == null) return "";
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
