package dev.baton.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.compile.Endpoints;
import dev.baton.pipeline.Json;
import dev.baton.ticket.OutboxStore;
import dev.baton.ticket.Rows.HistoryRow;
import dev.baton.ticket.Rows.Outgoing;
import dev.baton.ticket.RunStore;
import java.sql.SQLException;

/**
 * Writes a run's history and what follows from each entry in the same transaction: the event for
 * {@code baton.events} and, for a run outcome the pipeline notifies, a webhook delivery; both through the outbox.
 */
final class EventLog {
    private final RunStore store;
    private final OutboxStore outbox;
    private final Webhooks webhooks;

    EventLog(RunStore store, OutboxStore outbox, Webhooks webhooks) {
        this.store = store;
        this.outbox = outbox;
        this.webhooks = webhooks;
    }

    void append(Step s, HistoryRow h) throws SQLException {
        s.history(h);
        ObjectNode event = Events.of(s.run.pipeline(), h);
        emit(
                s,
                new Outgoing(
                        event.path("id").asText(),
                        Endpoints.topic(Endpoints.EVENTS),
                        Json.write(event),
                        h.runId(),
                        null,
                        4,
                        0,
                        0));
        webhooks.record(s, h, event);
    }

    /** Queues a message in the outbox; the caller's transition sends it after the commit. */
    void emit(Step s, Outgoing m) throws SQLException {
        outbox.add(s.c, m, s.now);
        s.outgoing.add(m);
    }
}
