package dev.baton.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Json;
import dev.baton.runtime.Events;
import dev.baton.ticket.Rows.HistoryRow;
import dev.baton.ticket.Rows.RunRow;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.TicketPages;
import dev.baton.ticket.TicketPages.Shown;
import dev.baton.ticket.Tx;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * A run's tickets, history and events a page at a time, so that no answer about a big run (a 10,000-item for_each, a
 * pipeline of 100,000 stages) is read or rendered whole: each page is one keyset read of at most {@code limit} rows.
 */
public final class RunPages {
    /** Tickets per page when the caller does not say. */
    public static final int TICKETS_LIMIT = 100;

    /** History entries or events per answer when the caller does not say. */
    public static final int HISTORY_LIMIT = 1000;

    /** The largest page of either. */
    public static final int MAX_LIMIT = 1000;

    private final Tx tx;
    private final RunStore store;
    private final TicketPages pages;

    RunPages(Tx tx, RunStore store, TicketPages pages) {
        this.tx = tx;
        this.store = store;
        this.pages = pages;
    }

    /**
     * {@code GET /api/runs/{id}/tickets?stage=&limit=&cursor=}: {@code {"items": [ticket…], "next": cursor|null}}, in
     * (stage, iteration, item) order; with {@code stage}, only that stage's.
     */
    public ObjectNode tickets(String runId, String stage, Integer limit, String cursor) {
        int n = limit(limit, TICKETS_LIMIT);
        if (stage != null && (stage.isBlank() || stage.length() > 200)) {
            throw Problem.badRequest("stage must be 1 to 200 characters", List.of());
        }
        TicketCursor after = cursor == null ? null : TicketCursor.decode(cursor, runId, stage);
        return tx.run(c -> {
            run(c, runId);
            // One more than asked tells whether there is a next page without a count.
            List<Shown> rows = pages.page(c, runId, stage, after == null ? null : after.after(), n + 1);
            ObjectNode page = Json.object();
            ArrayNode items = page.putArray("items");
            rows.stream().limit(n).forEach(t -> items.add(RunViews.ticket(t, true)));
            page.put(
                    "next",
                    rows.size() > n
                            ? new TicketCursor(RunViews.after(rows.get(n - 1).row())).encode(runId, stage)
                            : null);
            return page;
        });
    }

    /**
     * {@code GET /api/runs/{id}/history?after=&limit=}: the run's transitions with a {@code seq} above {@code after},
     * oldest first, at most {@code limit}; ask again with the last {@code seq} until fewer come back.
     */
    public ArrayNode history(String runId, Integer after, Integer limit) {
        return RunViews.history(rows(runId, after, limit).rows());
    }

    /** {@code GET /api/runs/{id}/events?after=&limit=}: the same page in the shape published on baton.events. */
    public ArrayNode events(String runId, Integer after, Integer limit) {
        Rows page = rows(runId, after, limit);
        ArrayNode arr = Json.MAPPER.createArrayNode();
        page.rows().forEach(h -> arr.add(Events.of(page.run().pipeline(), h)));
        return arr;
    }

    private record Rows(RunRow run, List<HistoryRow> rows) {}

    private Rows rows(String runId, Integer after, Integer limit) {
        int n = limit(limit, HISTORY_LIMIT);
        if (after != null && after < 0) {
            throw Problem.badRequest("after must be a seq of 0 or more, not " + after, List.of());
        }
        return tx.run(c -> new Rows(run(c, runId), pages.history(c, runId, after == null ? -1 : after, n)));
    }

    private static int limit(Integer limit, int absent) {
        if (limit == null) {
            return absent;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw Problem.badRequest("limit must be from 1 to " + MAX_LIMIT + ", not " + limit, List.of());
        }
        return limit;
    }

    private RunRow run(Connection c, String runId) throws SQLException {
        return store.run(c, runId).orElseThrow(() -> Problem.notFound("run '" + runId + "' does not exist"));
    }
}
