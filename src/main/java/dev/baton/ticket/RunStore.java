package dev.baton.ticket;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Json;
import dev.baton.ticket.Rows.HistoryRow;
import dev.baton.ticket.Rows.RevisionRow;
import dev.baton.ticket.Rows.RunRow;
import dev.baton.ticket.Rows.StageRow;
import dev.baton.ticket.Rows.TicketRow;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads and writes runs, stages, tickets and history; every method works inside the caller's transaction. */
public final class RunStore {
    private static final String RUN_COLS =
            "id, pipeline, revision, status, params, context, idempotency_key, error, created_at, updated_at, finished_at, "
                    + "request_hash, last_seq";
    /** The run row without its context, which can be large (a for_each input) and is read only when needed. */
    private static final String RUN_COLS_LIGHT = RUN_COLS.replace("context,", "NULL AS context,");

    static final String TICKET_COLS = "id, run_id, stage, iteration, item, label, attempt, base_attempt, agent, "
            + "status, input, output, error, lease_until, created_at, updated_at";
    private static final String STAGE_COLS = "run_id, name, status, attempts, output, error, started_at, finished_at, "
            + "iteration, items_total, items_next, items_done, done_seq";

    public void insertRun(Connection c, RunRow r) throws SQLException {
        Sql.update(
                c,
                "INSERT INTO run (" + RUN_COLS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                r.id(),
                r.pipeline(),
                r.revision(),
                r.status().name(),
                Json.write(r.params()),
                Json.write(r.context()),
                r.idempotencyKey(),
                r.error(),
                r.createdAt(),
                r.updatedAt(),
                r.finishedAt(),
                r.requestHash(),
                r.lastSeq());
    }

    public Optional<RunRow> run(Connection c, String id) throws SQLException {
        return Sql.one(c, "SELECT " + RUN_COLS + " FROM run WHERE id = ?", RunStore::runRow, id);
    }

    /**
     * Locks the run row until commit, so that transitions of one run never interleave (joins stay correct). The
     * context is not read ({@code null}); {@link #context} reads it when a transition needs it.
     */
    public Optional<RunRow> lockRun(Connection c, String id) throws SQLException {
        return Sql.one(c, "SELECT " + RUN_COLS_LIGHT + " FROM run WHERE id = ? FOR UPDATE", RunStore::runRow, id);
    }

    public ObjectNode context(Connection c, String runId) throws SQLException {
        return Sql.one(c, "SELECT context FROM run WHERE id = ?", rs -> (ObjectNode) Json.parse(rs.getString(1)), runId)
                .orElseThrow();
    }

    public Optional<RunRow> runByIdempotencyKey(Connection c, String key) throws SQLException {
        return Sql.one(c, "SELECT " + RUN_COLS + " FROM run WHERE idempotency_key = ?", RunStore::runRow, key);
    }

    /**
     * Runs newest first, filtered, after the keyset position {@code (afterCreated, afterId)} when given: ordered by
     * creation time and then id, both descending, so a page never repeats or skips a run because others started.
     */
    public List<RunRow> runs(
            Connection c, String pipeline, String status, int limit, Instant afterCreated, String afterId)
            throws SQLException {
        return runs(c, pipeline, status, null, limit, afterCreated, afterId);
    }

    /** @param text when not null, only runs whose params' JSON text contains it, ignoring case */
    public List<RunRow> runs(
            Connection c, String pipeline, String status, String text, int limit, Instant afterCreated, String afterId)
            throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + RUN_COLS + " FROM run WHERE 1=1");
        List<Object> args = new ArrayList<>();
        if (text != null) {
            // LIKE's wildcards in the text are literal characters here
            sql.append(" AND LOWER(params) LIKE ? ESCAPE '!'");
            args.add("%"
                    + text.toLowerCase(java.util.Locale.ROOT)
                            .replace("!", "!!")
                            .replace("%", "!%")
                            .replace("_", "!_") + "%");
        }
        if (pipeline != null) {
            sql.append(" AND pipeline = ?");
            args.add(pipeline);
        }
        if (status != null) {
            sql.append(" AND status = ?");
            args.add(status);
        }
        if (afterCreated != null) {
            sql.append(" AND (created_at < ? OR (created_at = ? AND id < ?))");
            args.add(afterCreated);
            args.add(afterCreated);
            args.add(afterId);
        }
        sql.append(" ORDER BY created_at DESC, id DESC FETCH FIRST ")
                .append(limit)
                .append(" ROWS ONLY");
        return Sql.list(c, sql.toString(), RunStore::runRow, args.toArray());
    }

    public List<RunRow> runs(Connection c, String pipeline, String status, int limit) throws SQLException {
        return runs(c, pipeline, status, limit, null, null);
    }

    /**
     * Writes the run's state after a transition; the context only when {@code context} is not null.
     *
     * @param finishedAt when the run ended; null while it has not
     */
    public void updateRun(
            Connection c,
            String id,
            RunStatus status,
            ObjectNode context,
            String error,
            int lastSeq,
            Instant now,
            Instant finishedAt)
            throws SQLException {
        if (context == null) {
            Sql.update(
                    c,
                    "UPDATE run SET status = ?, error = ?, last_seq = ?, updated_at = ?, finished_at = ? "
                            + "WHERE id = ?",
                    status.name(),
                    error,
                    lastSeq,
                    now,
                    finishedAt,
                    id);
        } else {
            Sql.update(
                    c,
                    "UPDATE run SET status = ?, context = ?, error = ?, last_seq = ?, updated_at = ?, "
                            + "finished_at = ? WHERE id = ?",
                    status.name(),
                    Json.write(context),
                    error,
                    lastSeq,
                    now,
                    finishedAt,
                    id);
        }
    }

    public void insertStage(Connection c, StageRow s) throws SQLException {
        Sql.update(
                c,
                "INSERT INTO run_stage (" + STAGE_COLS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                s.runId(),
                s.name(),
                s.status().name(),
                s.attempts(),
                jsonOrNull(s.output()),
                s.error(),
                s.startedAt(),
                s.finishedAt(),
                s.iteration(),
                s.itemsTotal(),
                s.itemsNext(),
                s.itemsDone(),
                s.doneSeq());
    }

    public void updateStage(Connection c, StageRow s) throws SQLException {
        updateStages(c, List.of(s));
    }

    /** Writes stage rows in one batch: the stages a transition changed, each in its last state. */
    public void updateStages(Connection c, java.util.Collection<StageRow> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        List<Object[]> values = new java.util.ArrayList<>(rows.size());
        for (StageRow s : rows) {
            values.add(new Object[] {
                s.status().name(),
                s.attempts(),
                jsonOrNull(s.output()),
                s.error(),
                s.startedAt(),
                s.finishedAt(),
                s.iteration(),
                s.itemsTotal(),
                s.itemsNext(),
                s.itemsDone(),
                s.doneSeq(),
                s.runId(),
                s.name()
            });
        }
        Sql.batch(
                c,
                "UPDATE run_stage SET status = ?, attempts = ?, output = ?, error = ?, started_at = ?, "
                        + "finished_at = ?, iteration = ?, items_total = ?, items_next = ?, items_done = ?, "
                        + "done_seq = ? WHERE run_id = ? AND name = ?",
                values);
    }

    public List<StageRow> stages(Connection c, String runId) throws SQLException {
        return Sql.list(
                c,
                "SELECT " + STAGE_COLS + " FROM run_stage WHERE run_id = ?",
                rs -> new StageRow(
                        rs.getString(1),
                        rs.getString(2),
                        TicketStatus.valueOf(rs.getString(3)),
                        rs.getInt(4),
                        json(rs.getString(5)),
                        rs.getString(6),
                        Sql.instant(rs, 7),
                        Sql.instant(rs, 8),
                        rs.getInt(9),
                        rs.getInt(10),
                        rs.getInt(11),
                        rs.getInt(12),
                        (Integer) rs.getObject(13)),
                runId);
    }

    public void insertTicket(Connection c, TicketRow t) throws SQLException {
        Sql.update(
                c, "INSERT INTO ticket (" + TICKET_COLS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", ticketArgs(t));
    }

    /** Inserts many tickets in one JDBC batch (a for_each creates one row per item up front). */
    public void insertTickets(Connection c, List<TicketRow> tickets) throws SQLException {
        List<Object[]> rows = new ArrayList<>(tickets.size());
        for (TicketRow t : tickets) {
            rows.add(ticketArgs(t));
        }
        Sql.batch(c, "INSERT INTO ticket (" + TICKET_COLS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows);
    }

    private static Object[] ticketArgs(TicketRow t) {
        return new Object[] {
            t.id(),
            t.runId(),
            t.stage(),
            t.iteration(),
            t.item(),
            t.label(),
            t.attempt(),
            t.baseAttempt(),
            t.agent(),
            t.status().name(),
            jsonOrNull(t.input()),
            jsonOrNull(t.output()),
            t.error(),
            t.leaseUntil(),
            t.createdAt(),
            t.updatedAt()
        };
    }

    public void updateTicket(Connection c, TicketRow t) throws SQLException {
        Sql.update(
                c,
                "UPDATE ticket SET attempt = ?, base_attempt = ?, agent = ?, status = ?, input = ?, output = ?, "
                        + "error = ?, lease_until = ?, updated_at = ?, label = ? WHERE id = ?",
                t.attempt(),
                t.baseAttempt(),
                t.agent(),
                t.status().name(),
                jsonOrNull(t.input()),
                jsonOrNull(t.output()),
                t.error(),
                t.leaseUntil(),
                t.updatedAt(),
                t.label(),
                t.id());
    }

    /**
     * Adds an agent's reported token usage to the ticket's total (counters a reply leaves out add nothing), and
     * their cost in US dollars as {@code costUsd} when it is known.
     */
    public void addUsage(Connection c, String ticketId, ObjectNode usage, Double costUsd) throws SQLException {
        List<String> rows = Sql.list(c, "SELECT token_usage FROM ticket WHERE id = ?", rs -> rs.getString(1), ticketId);
        String before = rows.isEmpty() ? null : rows.get(0);
        ObjectNode sum = before == null ? Json.object() : (ObjectNode) Json.parse(before);
        usage.properties()
                .forEach(e -> sum.put(
                        e.getKey(),
                        sum.path(e.getKey()).asLong(0) + e.getValue().asLong()));
        if (costUsd != null) {
            sum.put("costUsd", sum.path("costUsd").asDouble(0) + costUsd);
        }
        Sql.update(c, "UPDATE ticket SET token_usage = ? WHERE id = ?", Json.write(sum), ticketId);
    }

    /** The token usage of a run's tickets that reported any, by ticket id. */
    public java.util.Map<String, JsonNode> usages(Connection c, String runId) throws SQLException {
        java.util.Map<String, JsonNode> out = new java.util.HashMap<>();
        Sql.list(
                c,
                "SELECT id, token_usage FROM ticket WHERE run_id = ? AND token_usage IS NOT NULL",
                rs -> out.put(rs.getString(1), Json.parse(rs.getString(2))),
                runId);
        return out;
    }

    public Optional<TicketRow> ticket(Connection c, String id) throws SQLException {
        return Sql.one(c, "SELECT " + TICKET_COLS + " FROM ticket WHERE id = ?", RunStore::ticketRow, id);
    }

    /** The run a ticket belongs to. */
    public Optional<String> runOfTicket(Connection c, String ticketId) throws SQLException {
        return Sql.one(c, "SELECT run_id FROM ticket WHERE id = ?", rs -> rs.getString(1), ticketId);
    }

    public List<TicketRow> tickets(Connection c, String runId) throws SQLException {
        return Sql.list(
                c,
                "SELECT " + TICKET_COLS + " FROM ticket WHERE run_id = ? "
                        + "ORDER BY created_at, stage, iteration, item",
                RunStore::ticketRow,
                runId);
    }

    /** The tickets of one iteration of one stage, in item order (compensation first, as item -1). */
    public List<TicketRow> tickets(Connection c, String runId, String stage, int iteration) throws SQLException {
        return Sql.list(
                c,
                "SELECT " + TICKET_COLS + " FROM ticket WHERE run_id = ? AND stage = ? AND iteration = ? "
                        + "ORDER BY item",
                RunStore::ticketRow,
                runId,
                stage,
                iteration);
    }

    public Optional<TicketRow> ticket(Connection c, String runId, String stage, int iteration, int item)
            throws SQLException {
        return Sql.one(
                c,
                "SELECT " + TICKET_COLS + " FROM ticket WHERE run_id = ? AND stage = ? AND iteration = ? "
                        + "AND item = ?",
                RunStore::ticketRow,
                runId,
                stage,
                iteration,
                item);
    }

    /** Approval tickets waiting for a decision in running runs, oldest first, after {@code after} (keyset), or from the first. */
    public List<TicketRow> waitingApprovals(Connection c, int limit, TicketRow after) throws SQLException {
        String keyset = after == null ? "" : " AND (t.created_at > ? OR (t.created_at = ? AND t.id > ?))";
        Object[] args = after == null ? new Object[0] : new Object[] {after.createdAt(), after.createdAt(), after.id()};
        return Sql.list(
                c,
                "SELECT " + TICKET_COLS.replaceAll("(^|, )([a-z_]+)", "$1t.$2") + " FROM ticket t "
                        + "JOIN run r ON r.id = t.run_id WHERE r.status = 'RUNNING' AND t.status = 'WAITING_APPROVAL'"
                        + keyset
                        + " ORDER BY t.created_at, t.id FETCH FIRST " + limit + " ROWS ONLY",
                RunStore::ticketRow,
                args);
    }

    /** The tickets of a run in one of the given states (e.g. those in flight when it fails). */
    public List<TicketRow> ticketsIn(Connection c, String runId, List<TicketStatus> statuses) throws SQLException {
        String marks = String.join(",", java.util.Collections.nCopies(statuses.size(), "?"));
        List<Object> args = new ArrayList<>();
        args.add(runId);
        statuses.forEach(st -> args.add(st.name()));
        return Sql.list(
                c,
                "SELECT " + TICKET_COLS + " FROM ticket WHERE run_id = ? AND status IN (" + marks + ") "
                        + "ORDER BY stage, iteration, item",
                RunStore::ticketRow,
                args.toArray());
    }

    /** Cancels every ticket of a run that was never dispatched (PENDING); returns how many. */
    /** The run's compensation tickets (item -1), one per compensated stage. */
    public List<TicketRow> compensationTickets(Connection c, String runId) throws SQLException {
        return Sql.list(
                c,
                "SELECT " + TICKET_COLS + " FROM ticket WHERE run_id = ? AND item = ? ORDER BY stage",
                RunStore::ticketRow,
                runId,
                TicketRow.COMPENSATION);
    }

    public int cancelPending(Connection c, String runId, Instant now) throws SQLException {
        return Sql.update(
                c,
                "UPDATE ticket SET status = 'CANCELLED', updated_at = ? WHERE run_id = ? " + "AND status = 'PENDING'",
                now,
                runId);
    }

    public void history(Connection c, HistoryRow h) throws SQLException {
        history(c, List.of(h));
    }

    /** Inserts history rows in one batch: one round trip for what a transition recorded. */
    public void history(Connection c, List<HistoryRow> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        List<Object[]> values = new java.util.ArrayList<>(rows.size());
        for (HistoryRow h : rows) {
            values.add(new Object[] {
                h.runId(),
                h.seq(),
                h.ticketId(),
                h.stage(),
                h.attempt(),
                h.status(),
                h.agent(),
                h.actor(),
                h.detail(),
                h.at()
            });
        }
        Sql.batch(
                c,
                "INSERT INTO ticket_history (run_id, seq, ticket_id, stage, attempt, status, agent, actor, detail, "
                        + "at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                values);
    }

    static final String HISTORY_COLS =
            "seq, run_id, ticket_id, stage, attempt, status, agent, actor, detail, at, repeats, repeated_at";

    /** The history rows of one attempt of one ticket, in order. */
    public List<HistoryRow> history(Connection c, String runId, String ticketId, int attempt) throws SQLException {
        return Sql.list(
                c,
                "SELECT " + HISTORY_COLS + " "
                        + "FROM ticket_history WHERE run_id = ? AND ticket_id = ? AND attempt = ? ORDER BY seq",
                RunStore::historyRow,
                runId,
                ticketId,
                attempt);
    }

    public List<HistoryRow> history(Connection c, String runId) throws SQLException {
        return Sql.list(
                c,
                "SELECT " + HISTORY_COLS + " " + "FROM ticket_history WHERE run_id = ? ORDER BY seq",
                RunStore::historyRow,
                runId);
    }

    static HistoryRow historyRow(ResultSet rs) throws SQLException {
        return new HistoryRow(
                rs.getInt(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                (Integer) rs.getObject(5),
                rs.getString(6),
                rs.getString(7),
                rs.getString(8),
                rs.getString(9),
                Sql.instant(rs, 10),
                rs.getInt(11),
                Sql.instant(rs, 12));
    }

    /**
     * Records an inbound message id; false when it was already applied. Runs in the transaction that applies the
     * message, so "applied" and "recorded" commit together.
     */
    public boolean firstDelivery(Connection c, String messageId, Instant now) throws SQLException {
        String key = inboxKey(messageId);
        if (Sql.one(c, "SELECT 1 FROM inbox WHERE message_id = ?", rs -> 1, key).isPresent()) {
            return false;
        }
        Sql.update(c, "INSERT INTO inbox (message_id, received_at) VALUES (?, ?)", key, now);
        return true;
    }

    /**
     * The inbox key of a message id: the id itself, or its SHA-256 when it is longer than the column's 200
     * characters (an AMQP sender chooses its message ids; one too long for the column failed every delivery).
     */
    static String inboxKey(String messageId) {
        if (messageId.length() <= 200) {
            return messageId;
        }
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(messageId.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "sha256-id:" + java.util.HexFormat.of().formatHex(hash);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Whether an inbound message id was applied (and not yet pruned). */
    public boolean delivered(Connection c, String messageId) throws SQLException {
        return Sql.one(c, "SELECT 1 FROM inbox WHERE message_id = ?", rs -> 1, inboxKey(messageId))
                .isPresent();
    }

    /** Forgets an inbound message id recorded in this transaction: its message changed nothing worth guarding. */
    public void forgetDelivery(Connection c, String messageId) throws SQLException {
        Sql.update(c, "DELETE FROM inbox WHERE message_id = ?", inboxKey(messageId));
    }

    /** The (pipeline, revision) pairs that runs still in progress are pinned to. */
    public List<String[]> activeRevisions(Connection c) throws SQLException {
        return Sql.list(
                c, "SELECT DISTINCT pipeline, revision FROM run WHERE status IN ('RUNNING', 'COMPENSATING')", rs ->
                        new String[] {rs.getString(1), rs.getString(2)});
    }

    /** Forgets inbound message ids older than {@code before}: no broker redelivers a message that late. */
    public int pruneInbox(Connection c, Instant before) throws SQLException {
        return Sql.update(c, "DELETE FROM inbox WHERE received_at < ?", before);
    }

    public void savePipelineRevision(
            Connection c, String pipeline, String revision, String file, String source, Instant now)
            throws SQLException {
        if (pipelineSource(c, pipeline, revision).isEmpty()) {
            Sql.update(
                    c,
                    "INSERT INTO pipeline_revision (pipeline, revision, file, source, loaded_at) VALUES (?,?,?,?,?)",
                    pipeline,
                    revision,
                    file,
                    source,
                    now);
        }
    }

    public Optional<String> pipelineSource(Connection c, String pipeline, String revision) throws SQLException {
        return Sql.one(
                c,
                "SELECT source FROM pipeline_revision WHERE pipeline = ? AND revision = ?",
                rs -> rs.getString(1),
                pipeline,
                revision);
    }

    /** Every stored revision of a pipeline, newest first. */
    public List<RevisionRow> revisions(Connection c, String pipeline) throws SQLException {
        return Sql.list(
                c,
                "SELECT pipeline, revision, file, loaded_at FROM pipeline_revision WHERE pipeline = ? "
                        + "ORDER BY loaded_at DESC, revision",
                rs -> new RevisionRow(rs.getString(1), rs.getString(2), rs.getString(3), Sql.instant(rs, 4)),
                pipeline);
    }

    private static RunRow runRow(ResultSet rs) throws SQLException {
        return new RunRow(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                RunStatus.valueOf(rs.getString(4)),
                (ObjectNode) Json.parse(rs.getString(5)),
                (ObjectNode) json(rs.getString(6)),
                rs.getString(7),
                rs.getString(8),
                Sql.instant(rs, 9),
                Sql.instant(rs, 10),
                Sql.instant(rs, 11),
                rs.getString(12),
                rs.getInt(13));
    }

    static TicketRow ticketRow(ResultSet rs) throws SQLException {
        return new TicketRow(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getInt(4),
                rs.getInt(5),
                rs.getString(6),
                rs.getInt(7),
                rs.getInt(8),
                rs.getString(9),
                TicketStatus.valueOf(rs.getString(10)),
                json(rs.getString(11)),
                json(rs.getString(12)),
                rs.getString(13),
                Sql.instant(rs, 14),
                Sql.instant(rs, 15),
                Sql.instant(rs, 16));
    }

    private static JsonNode json(String text) {
        return text == null ? null : Json.parse(text);
    }

    private static String jsonOrNull(JsonNode node) {
        return node == null ? null : Json.write(node);
    }

    /** Runs not ended, and tickets queued for or held by agents: what a stopping Baton leaves for the next start. */
    public record InFlight(int runs, int tickets) {}

    public InFlight inFlight(Connection c) throws SQLException {
        int runs = Sql.one(
                        c, "SELECT COUNT(*) FROM run WHERE status IN ('RUNNING', 'COMPENSATING')", rs -> rs.getInt(1))
                .orElse(0);
        int tickets = Sql.one(
                        c, "SELECT COUNT(*) FROM ticket WHERE status IN ('QUEUED', 'RUNNING')", rs -> rs.getInt(1))
                .orElse(0);
        return new InFlight(runs, tickets);
    }
}
