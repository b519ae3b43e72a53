package dev.baton.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.pipeline.Json;
import java.util.List;
import org.apache.camel.Exchange;

/**
 * How an API route reads its request (query parameters, a size-checked UTF-8 body) and writes its answer, JSON or
 * {@code application/problem+json}.
 */
final class ApiExchange {
    private static final String JSON = "application/json";

    private ApiExchange() {}

    /** {@code ?tickets=N}: at most N tickets per stage in the answer (0-1000, default 100). */
    static int tickets(Exchange ex) {
        Integer n = integer(ex, "tickets");
        if (n == null) {
            return RunService.TICKETS_PER_STAGE;
        }
        if (n < 0 || n > RunService.MAX_TICKETS_PER_STAGE) {
            throw Problem.badRequest(
                    "tickets must be an integer from 0 to " + RunService.MAX_TICKETS_PER_STAGE + ", not '" + n
                            + "'; the rest of a stage's tickets come from GET /api/runs/{id}/tickets?stage=",
                    List.of());
        }
        return n;
    }

    /** An integer query parameter, or null when absent; its range is the callee's to check. */
    static Integer integer(Exchange ex, String name) {
        String v = param(ex, name);
        try {
            return v == null ? null : Integer.valueOf(v);
        } catch (NumberFormatException e) {
            throw Problem.badRequest(name + " must be an integer, not '" + v + "'", List.of());
        }
    }

    /** The request body as text: at most {@code maxBodyBytes}, and valid UTF-8 (never decoded with replacements). */
    static String body(Exchange ex, int maxBodyBytes) {
        byte[] raw = ex.getMessage().getBody(byte[].class);
        int bytes = raw == null ? 0 : raw.length;
        if (bytes > maxBodyBytes) {
            throw new Problem(
                    413,
                    "Content Too Large",
                    "request body is " + bytes + " bytes; the limit is " + maxBodyBytes,
                    List.of());
        }
        if (raw == null) {
            return null;
        }
        try {
            return dev.baton.pipeline.StrictJson.utf8(raw);
        } catch (IllegalArgumentException e) {
            throw Problem.badRequest("request body is " + e.getMessage(), List.of());
        }
    }

    /** The {@code limit} query parameter as an integer; its range is the callee's to check. */
    static int limit(Exchange ex, int absent) {
        String limit = param(ex, "limit");
        try {
            return limit == null ? absent : Integer.parseInt(limit);
        } catch (NumberFormatException e) {
            throw Problem.badRequest("limit must be an integer, not '" + limit + "'", List.of());
        }
    }

    /** The host and port of the URL the request was made to (Vert.x builds it from the Host header). */
    static String authority(String url) {
        try {
            return url == null ? null : java.net.URI.create(url).getRawAuthority();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A query, path or request header parameter: Camel puts them all in the message's headers. */
    static String param(Exchange ex, String name) {
        return ex.getMessage().getHeader(name, String.class);
    }

    static void ok(Exchange ex, int status, JsonNode body) {
        respond(ex, status, JSON, Json.write(body));
    }

    static void problem(Exchange ex, Problem p) {
        respond(ex, p.status(), "application/problem+json", Json.write(p.toJson()));
        if (p.status() == 503) {
            ex.getMessage().setHeader("Retry-After", "1");
        }
    }

    static void respond(Exchange ex, int status, String type, String body) {
        var msg = ex.getMessage();
        msg.removeHeaders("*", "Location|Idempotent-Replayed");
        msg.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        msg.setHeader(Exchange.CONTENT_TYPE, type);
        msg.setBody(body);
    }
}
