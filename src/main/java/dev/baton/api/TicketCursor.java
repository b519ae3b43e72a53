package dev.baton.api;

import dev.baton.ticket.TicketPages.After;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * The position after which the next page of {@code GET /api/runs/{id}/tickets} starts: a ticket's stage, iteration and
 * item. Opaque on the wire (base64url), like {@link RunCursor}, and bound to the run and stage filter it was made for.
 */
record TicketCursor(After after) {
    private static final String VERSION = "t1";

    String encode(String runId, String stage) {
        String raw = String.join(
                "\n",
                VERSION,
                runId,
                Objects.toString(stage, ""),
                after.stage(),
                Integer.toString(after.iteration()),
                Integer.toString(after.item()));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** @throws Problem 400 for a cursor this server did not make, or one made for another run or stage */
    static TicketCursor decode(String cursor, String runId, String stage) {
        String[] p;
        try {
            p = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\n", -1);
        } catch (IllegalArgumentException e) {
            throw bad();
        }
        if (p.length != 6 || !p[0].equals(VERSION) || p[3].isEmpty()) {
            throw bad();
        }
        if (!p[1].equals(runId) || !p[2].equals(Objects.toString(stage, ""))) {
            throw Problem.badRequest(
                    "cursor was made for another run or stage filter (run '" + p[1] + "', stage '" + p[2]
                            + "'); send the same stage as the first page, or start without a cursor",
                    List.of());
        }
        try {
            return new TicketCursor(new After(p[3], Integer.parseInt(p[4]), Integer.parseInt(p[5])));
        } catch (NumberFormatException e) {
            throw bad();
        }
    }

    private static Problem bad() {
        return Problem.badRequest("cursor is not one this server made; use the next of a previous page", List.of());
    }
}
