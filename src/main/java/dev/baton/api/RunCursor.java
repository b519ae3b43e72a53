package dev.baton.api;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * The position after which the next page of {@code GET /api/runs} starts: a run's creation time and id. On the wire it
 * is opaque (base64url), and it carries the filters of the listing it continues, so that it cannot be reused with
 * others.
 */
record RunCursor(Instant createdAt, String id) {
    private static final String VERSION = "r1";
    /** Also carries the text filter; an r1 cursor (made before it existed) continues a listing without one. */
    private static final String VERSION_TEXT = "r2";

    String encode(String pipeline, String status) {
        return encode(pipeline, status, null);
    }

    String encode(String pipeline, String status, String text) {
        String raw = text == null
                ? String.join(
                        "\n",
                        VERSION,
                        createdAt.toString(),
                        id,
                        Objects.toString(pipeline, ""),
                        Objects.toString(status, ""))
                : String.join(
                        "\n",
                        VERSION_TEXT,
                        createdAt.toString(),
                        id,
                        Objects.toString(pipeline, ""),
                        Objects.toString(status, ""),
                        text);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** @throws Problem 400 for a cursor this server did not make, or one made for other filters */
    static RunCursor decode(String cursor, String pipeline, String status) {
        return decode(cursor, pipeline, status, null);
    }

    /** @throws Problem 400 for a cursor this server did not make, or one made for other filters */
    static RunCursor decode(String cursor, String pipeline, String status, String text) {
        String[] p;
        try {
            p = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\n", -1);
        } catch (IllegalArgumentException e) {
            throw bad();
        }
        boolean v1 = p.length == 5 && p[0].equals(VERSION);
        boolean v2 = p.length == 6 && p[0].equals(VERSION_TEXT);
        if (!(v1 || v2) || p[2].isEmpty()) {
            throw bad();
        }
        if (!Objects.equals(v2 ? p[5] : null, text)) {
            throw Problem.badRequest(
                    "cursor was made for another text filter (q '" + (v2 ? p[5] : "")
                            + "'); send the same q as the first page, or start without a cursor",
                    List.of());
        }
        if (!p[3].equals(Objects.toString(pipeline, "")) || !p[4].equals(Objects.toString(status, ""))) {
            throw Problem.badRequest(
                    "cursor was made for other filters (pipeline '" + p[3] + "', status '" + p[4]
                            + "'); send the same pipeline and status as the first page, or start without a cursor",
                    List.of());
        }
        try {
            return new RunCursor(Instant.parse(p[1]), p[2]);
        } catch (DateTimeParseException e) {
            throw bad();
        }
    }

    private static Problem bad() {
        return Problem.badRequest("cursor is not one this server made; use the next of a previous page", List.of());
    }
}
