package dev.baton.ticket;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Json;
import dev.baton.ticket.Rows.Outgoing;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The transactional outbox: messages written with a state change and deleted once the broker has them. */
public final class OutboxStore {

    /**
     * Queues a message in the outbox with the state change of the caller's transaction. The messages of one
     * transaction are written as one row just before it commits (a transition that sends a ticket and records three
     * history entries writes one row, not four); outside a transaction of {@link Tx}, the row is written at once.
     */
    public void add(Connection c, Outgoing m, Instant now) throws SQLException {
        Gathered g = Tx.gathered(c, Gathered.class, () -> new Gathered(now));
        if (g == null) {
            insert(c, m, now);
        } else {
            g.messages.add(m);
        }
    }

    /** The messages one transaction queued, written as one row before it commits. */
    private static final class Gathered implements Tx.BeforeCommit {
        final Instant now;
        final List<Outgoing> messages = new java.util.ArrayList<>();

        Gathered(Instant now) {
            this.now = now;
        }

        @Override
        public void flush(Connection c) throws SQLException {
            if (messages.size() == 1) {
                insert(c, messages.get(0), now);
            } else if (!messages.isEmpty()) {
                // Deleted by the ids of the messages once they are sent: the row takes the first one's.
                insert(c, new Outgoing(messages.get(0).id(), BUNDLE, bundle(messages), null, null, 0, 0, 0), now);
            }
        }
    }

    /** The destination of a row that holds several messages, as a JSON array in its body. */
    static final String BUNDLE = "baton:bundle";

    /** The messages as one JSON array, written field by field: no tree is built for text written once. */
    private static String bundle(List<Outgoing> messages) {
        StringWriter text = new StringWriter();
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(text)) {
            g.writeStartArray();
            for (Outgoing m : messages) {
                g.writeStartObject();
                g.writeStringField("id", m.id());
                g.writeStringField("destination", m.destination());
                g.writeStringField("body", m.stored());
                g.writeStringField("correlationId", m.correlationId());
                g.writeStringField("replyTo", m.replyTo());
                g.writeNumberField("priority", m.priority());
                g.writeNumberField("deliverAt", m.deliverAt());
                g.writeNumberField("expiresAt", m.expiresAt());
                g.writeEndObject();
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return text.toString();
    }

    private static List<Outgoing> unbundle(Outgoing row) {
        if (!BUNDLE.equals(row.destination())) {
            return List.of(row);
        }
        List<Outgoing> out = new java.util.ArrayList<>();
        for (var m : Json.parse(row.body())) {
            out.add(new Outgoing(
                    m.path("id").asText(),
                    m.path("destination").asText(),
                    m.path("body").asText(),
                    m.path("correlationId").asText(null),
                    m.path("replyTo").asText(null),
                    m.path("priority").asInt(),
                    m.path("deliverAt").asLong(),
                    m.path("expiresAt").asLong()));
        }
        return out;
    }

    private static void insert(Connection c, Outgoing m, Instant now) throws SQLException {
        Sql.update(
                c,
                "INSERT INTO outbox (id, destination, body, correlation_id, reply_to, priority, deliver_at, "
                        + "expires_at, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                m.id(),
                m.destination(),
                m.stored(),
                m.correlationId(),
                m.replyTo(),
                m.priority(),
                m.deliverAt(),
                m.expiresAt(),
                now);
    }

    /**
     * Messages of rows written before {@code before}: left behind by a crash between the DB commit and the send. A
     * row that holds several messages gives them all.
     */
    public List<Outgoing> pending(Connection c, Instant before, int limit) throws SQLException {
        List<Outgoing> rows = Sql.list(
                c,
                "SELECT id, destination, body, correlation_id, reply_to, priority, deliver_at, expires_at "
                        + "FROM outbox WHERE created_at < ? ORDER BY created_at FETCH FIRST " + limit + " ROWS ONLY",
                rs -> new Outgoing(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getInt(6),
                        rs.getLong(7),
                        rs.getLong(8)),
                before);
        Map<String, String> params = new HashMap<>();
        List<Outgoing> out = new ArrayList<>();
        for (Outgoing r : rows) {
            for (Outgoing m : unbundle(r)) {
                out.add(m.body().contains(PARAMS_BY_REFERENCE) ? withRunParams(c, m, params) : m);
            }
        }
        return out;
    }

    /**
     * The {@code params} of a ticket whose outbox row keeps them by reference: a run's params are an object, never
     * this string, and never change after its row is inserted, so the run's row gives them back exactly.
     */
    public static final String RUN_PARAMS = "baton:run.params";

    private static final String PARAMS_BY_REFERENCE = "\"params\":\"" + RUN_PARAMS + "\"";

    /** The body as a ticket whose params are {@link #RUN_PARAMS} (a run's params are an object, never text), or null. */
    private static ObjectNode ticketByReference(String body) {
        JsonNode json;
        try {
            json = Json.parse(body);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return json instanceof ObjectNode o
                        && RUN_PARAMS.equals(o.path("params").textValue())
                        && o.path("runId").isTextual()
                        && o.path("ticketId").isTextual()
                ? o
                : null;
    }

    private static Outgoing withRunParams(Connection c, Outgoing m, Map<String, String> read) throws SQLException {
        ObjectNode ticket = ticketByReference(m.body());
        if (ticket == null) {
            return m; // the marker's text inside something else (an output, a run's answer): sent as it is
        }
        String runId = ticket.get("runId").textValue();
        if (!read.containsKey(runId)) {
            read.put(
                    runId,
                    Sql.one(c, "SELECT params FROM run WHERE id = ?", rs -> rs.getString(1), runId)
                            .orElse(null));
        }
        String params = read.get(runId);
        // A run deleted since (purged) has no params to give: its ticket goes with null ones, and its reply is refused.
        ticket.set("params", params == null ? NullNode.getInstance() : Json.parse(params));
        return new Outgoing(
                m.id(),
                m.destination(),
                Json.write(ticket),
                m.correlationId(),
                m.replyTo(),
                m.priority(),
                m.deliverAt(),
                m.expiresAt());
    }

    /** How many outbox rows (transitions whose messages are committed and not yet all handed to the broker) wait. */
    public int depth(Connection c) throws SQLException {
        return Sql.one(c, "SELECT COUNT(*) FROM outbox", rs -> rs.getInt(1)).orElse(0);
    }

    public void delete(Connection c, Collection<String> ids) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        String marks = Sql.marks(ids.size());
        Sql.update(c, "DELETE FROM outbox WHERE id IN (" + marks + ")", ids.toArray());
    }
}
