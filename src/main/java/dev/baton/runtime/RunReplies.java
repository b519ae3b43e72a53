package dev.baton.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Json;
import dev.baton.ticket.OutboxStore;
import dev.baton.ticket.ReplyStore;
import dev.baton.ticket.Rows.Outgoing;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

/**
 * Answers a run started over JMS ({@code baton.submit}) when it ends: the run as the API shows it goes to the
 * submitter's reply destination through the outbox, in the transaction that ends the run, so a crash at any point
 * between start and end still answers, once.
 */
public final class RunReplies {
    /** The run as {@code GET /api/runs/{id}} shows it, read inside the caller's transaction. */
    @FunctionalInterface
    public interface RunDocument {
        ObjectNode read(Connection c, String runId) throws SQLException;
    }

    private final ReplyStore replies;
    private final OutboxStore outbox;
    private final RunDocument document;

    public RunReplies(ReplyStore replies, OutboxStore outbox, RunDocument document) {
        this.replies = replies;
        this.outbox = outbox;
        this.document = document;
    }

    /** After the run row of an ending transition is written: queue the answers the run owes. */
    void ended(Step s) throws SQLException {
        List<ReplyStore.ReplyTo> to = replies.take(s.c, s.run.id());
        if (to.isEmpty()) {
            return;
        }
        String body = Json.write(document.read(s.c, s.run.id()));
        for (ReplyStore.ReplyTo r : to) {
            Outgoing m =
                    new Outgoing(UUID.randomUUID().toString(), r.destination(), body, r.correlationId(), null, 4, 0, 0);
            outbox.add(s.c, m, s.now);
            s.outgoing.add(m);
        }
    }

    /** Adds a reply address; the caller holds the run's lock. */
    void add(Connection c, String runId, ReplyStore.ReplyTo to, java.time.Instant now) throws SQLException {
        replies.add(c, runId, to, now);
    }
}
