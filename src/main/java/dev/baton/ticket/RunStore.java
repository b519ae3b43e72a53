package dev.baton.ticket;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Json;
import dev.baton.ticket.Rows.HistoryRow;
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
            + "request_hash";
    private static final String TICKET_COLS =
            "id, run_id, stage, item, attempt, agent, status, input, output, error, lease_until, created_at, updated_at";

    public void insertRun(Connection c, RunRow r) throws SQLException {
        Sql.update(c, "INSERT INTO run (" + RUN_COLS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                r.id(), r.pipeline(), r.revision(), r.status().name(), Json.write(r.params()), Json.write(r.context()),
                r.idempotencyKey(), r.error(), r.createdAt(), r.updatedAt(), r.finishedAt(), r.requestHash());
    }

    public Optional<RunRow> run(Connection c, String id) throws SQLException {
        return Sql.one(c, "SELECT " + RUN_COLS + " FROM run WHERE id = ?", RunStore::runRow, id);
    }

    /** Locks the run row until commit, so that transitions of one run never interleave (joins stay correct). */
    public Optional<RunRow> lockRun(Connection c, String id) throws SQLException {
        return Sql.one(c, "SELECT " + RUN_COLS + " FROM run WHERE id = ? FOR UPDATE", RunStore::runRow, id);
    }

    public Optional<RunRow> runByIdempotencyKey(Connection c, String key) throws SQLException {
        return Sql.one(c, "SELECT " + RUN_COLS + " FROM run WHERE idempotency_key = ?", RunStore::runRow, key);
    }

    public List<RunRow> runs(Connection c, String pipeline, String status, int limit) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + RUN_COLS + " FROM run WHERE 1=1");
        List<Object> args = new ArrayList<>();
        if (pipeline != null) {
            sql.append(" AND pipeline = ?");
            args.add(pipeline);
        }
        if (status != null) {
            sql.append(" AND status = ?");
            args.add(status);
        }
        sql.append(" ORDER BY created_at DESC, id FETCH FIRST ").append(limit).append(" ROWS ONLY");
        return Sql.list(c, sql.toString(), RunStore::runRow, args.toArray());
    }

    public void updateRun(Connection c, String id, RunStatus status, ObjectNode context, String error, Instant now)
            throws SQLException {
        Sql.update(c, "UPDATE run SET status = ?, context = ?, error = ?, updated_at = ?, finished_at = ? WHERE id = ?",
                status.name(), Json.write(context), error, now, status.terminal() ? now : null, id);
    }

    public void insertStage(Connection c, StageRow s) throws SQLException {
        Sql.update(c, "INSERT INTO run_stage (run_id, name, status, attempts, output, error, started_at, finished_at) "
                        + "VALUES (?,?,?,?,?,?,?,?)",
                s.runId(), s.name(), s.status().name(), s.attempts(), jsonOrNull(s.output()), s.error(),
                s.startedAt(), s.finishedAt());
    }

    public void updateStage(Connection c, StageRow s) throws SQLException {
        Sql.update(c, "UPDATE run_stage SET status = ?, attempts = ?, output = ?, error = ?, started_at = ?, "
                        + "finished_at = ? WHERE run_id = ? AND name = ?",
                s.status().name(), s.attempts(), jsonOrNull(s.output()), s.error(), s.startedAt(), s.finishedAt(),
                s.runId(), s.name());
    }

    public List<StageRow> stages(Connection c, String runId) throws SQLException {
        return Sql.list(c, "SELECT run_id, name, status, attempts, output, error, started_at, finished_at "
                + "FROM run_stage WHERE run_id = ?", rs -> new StageRow(rs.getString(1), rs.getString(2),
                TicketStatus.valueOf(rs.getString(3)), rs.getInt(4), json(rs.getString(5)), rs.getString(6),
                Sql.instant(rs, 7), Sql.instant(rs, 8)), runId);
    }

    public void insertTicket(Connection c, TicketRow t) throws SQLException {
        Sql.update(c, "INSERT INTO ticket (" + TICKET_COLS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                t.id(), t.runId(), t.stage(), t.item(), t.attempt(), t.agent(), t.status().name(),
                jsonOrNull(t.input()), jsonOrNull(t.output()), t.error(), t.leaseUntil(), t.createdAt(), t.updatedAt());
    }

    public void updateTicket(Connection c, TicketRow t) throws SQLException {
        Sql.update(c, "UPDATE ticket SET attempt = ?, agent = ?, status = ?, input = ?, output = ?, error = ?, "
                        + "lease_until = ?, updated_at = ? WHERE id = ?",
                t.attempt(), t.agent(), t.status().name(), jsonOrNull(t.input()), jsonOrNull(t.output()), t.error(),
                t.leaseUntil(), t.updatedAt(), t.id());
    }

    public Optional<TicketRow> ticket(Connection c, String id) throws SQLException {
        return Sql.one(c, "SELECT " + TICKET_COLS + " FROM ticket WHERE id = ?", RunStore::ticketRow, id);
    }

    public List<TicketRow> tickets(Connection c, String runId) throws SQLException {
        return Sql.list(c, "SELECT " + TICKET_COLS + " FROM ticket WHERE run_id = ? ORDER BY created_at, id",
                RunStore::ticketRow, runId);
    }

    public void history(Connection c, HistoryRow h) throws SQLException {
        Sql.update(c, "INSERT INTO ticket_history (run_id, seq, ticket_id, stage, attempt, status, agent, actor, detail, "
                        + "at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                h.runId(), h.seq(), h.ticketId(), h.stage(), h.attempt(), h.status(), h.agent(), h.actor(), h.detail(),
                h.at());
    }

    public List<HistoryRow> history(Connection c, String runId) throws SQLException {
        return Sql.list(c, "SELECT seq, run_id, ticket_id, stage, attempt, status, agent, actor, detail, at "
                + "FROM ticket_history WHERE run_id = ? ORDER BY seq", rs -> new HistoryRow(rs.getInt(1),
                rs.getString(2), rs.getString(3), rs.getString(4), (Integer) rs.getObject(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9),
                Sql.instant(rs, 10)), runId);
    }

    /** The last history number of a run (0 for none); read under the run's lock. */
    public int lastHistorySeq(Connection c, String runId) throws SQLException {
        return Sql.one(c, "SELECT COALESCE(MAX(seq), 0) FROM ticket_history WHERE run_id = ?", rs -> rs.getInt(1), runId)
                .orElse(0);
    }

    /**
     * Records an inbound message id; false when it was already applied. Runs in the transaction that applies the
     * message, so "applied" and "recorded" commit together.
     */
    public boolean firstDelivery(Connection c, String messageId, Instant now) throws SQLException {
        if (Sql.one(c, "SELECT 1 FROM inbox WHERE message_id = ?", rs -> 1, messageId).isPresent()) {
            return false;
        }
        Sql.update(c, "INSERT INTO inbox (message_id, received_at) VALUES (?, ?)", messageId, now);
        return true;
    }

    /** The (pipeline, revision) pairs that runs still in progress are pinned to. */
    public List<String[]> activeRevisions(Connection c) throws SQLException {
        return Sql.list(c, "SELECT DISTINCT pipeline, revision FROM run WHERE status IN ('RUNNING', 'COMPENSATING')",
                rs -> new String[] {rs.getString(1), rs.getString(2)});
    }

    /** Forgets inbound message ids older than {@code before}: no broker redelivers a message that late. */
    public int pruneInbox(Connection c, Instant before) throws SQLException {
        return Sql.update(c, "DELETE FROM inbox WHERE received_at < ?", before);
    }

    public void savePipelineRevision(Connection c, String pipeline, String revision, String file, String source,
            Instant now) throws SQLException {
        if (pipelineSource(c, pipeline, revision).isEmpty()) {
            Sql.update(c, "INSERT INTO pipeline_revision (pipeline, revision, file, source, loaded_at) VALUES (?,?,?,?,?)",
                    pipeline, revision, file, source, now);
        }
    }

    public Optional<String> pipelineSource(Connection c, String pipeline, String revision) throws SQLException {
        return Sql.one(c, "SELECT source FROM pipeline_revision WHERE pipeline = ? AND revision = ?",
                rs -> rs.getString(1), pipeline, revision);
    }

    private static RunRow runRow(ResultSet rs) throws SQLException {
        return new RunRow(rs.getString(1), rs.getString(2), rs.getString(3), RunStatus.valueOf(rs.getString(4)),
                (ObjectNode) Json.parse(rs.getString(5)), (ObjectNode) Json.parse(rs.getString(6)), rs.getString(7),
                rs.getString(8), Sql.instant(rs, 9), Sql.instant(rs, 10), Sql.instant(rs, 11), rs.getString(12));
    }

    private static TicketRow ticketRow(ResultSet rs) throws SQLException {
        return new TicketRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getInt(5),
                rs.getString(6), TicketStatus.valueOf(rs.getString(7)), json(rs.getString(8)), json(rs.getString(9)),
                rs.getString(10), Sql.instant(rs, 11), Sql.instant(rs, 12), Sql.instant(rs, 13));
    }

    private static JsonNode json(String text) {
        return text == null ? null : Json.parse(text);
    }

    private static String jsonOrNull(JsonNode node) {
        return node == null ? null : Json.write(node);
    }
}
