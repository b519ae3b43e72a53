package dev.baton.ticket;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Json;
import dev.baton.ticket.Rows.RunRow;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads and writes runs, and holds the stores of their stages, tickets, history, inbox and pipeline revisions; every
 * method works inside the caller's transaction.
 */
public final class RunStore {
    private static final String RUN_COLS =
            "id, pipeline, revision, status, params, context, idempotency_key, error, created_at, updated_at, finished_at, "
                    + "request_hash, last_seq, reruns";
    /** The run row without its context, which can be large (a for_each input) and is read only when needed. */
    private static final String RUN_COLS_LIGHT = RUN_COLS.replace("context,", "NULL AS context,");
    /** The light row without its params too, when they are already known ({@link RunParams}). */
    private static final String RUN_COLS_LIGHTER = RUN_COLS_LIGHT.replace("params,", "NULL AS params,");

    private final RunParams params = new RunParams();

    private final StageStore stageRows = new StageStore();
    private final TicketStore ticketRows = new TicketStore();
    private final HistoryStore historyRows = new HistoryStore();
    private final InboxStore inbox = new InboxStore();
    private final RevisionStore revisionRows = new RevisionStore();

    /** The stage rows of runs. */
    public StageStore stageRows() {
        return stageRows;
    }

    /** The ticket rows of runs. */
    public TicketStore ticketRows() {
        return ticketRows;
    }

    /** The history rows of runs. */
    public HistoryStore historyRows() {
        return historyRows;
    }

    /** The ids of inbound messages already applied. */
    public InboxStore inbox() {
        return inbox;
    }

    /** The stored pipeline revisions runs are pinned to. */
    public RevisionStore revisionRows() {
        return revisionRows;
    }

    public void insertRun(Connection c, RunRow r) throws SQLException {
        Sql.update(
                c,
                Sql.insert("run", RUN_COLS),
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
                r.lastSeq(),
                r.reruns());
    }

    public Optional<RunRow> run(Connection c, String id) throws SQLException {
        return Sql.one(c, "SELECT " + RUN_COLS + " FROM run WHERE id = ?", RunStore::runRow, id);
    }

    /**
     * Locks the run row until commit, so that transitions of one run never interleave (joins stay correct). The
     * context is not read ({@code null}); {@link #context} reads it when a transition needs it.
     */
    public Optional<RunRow> lockRun(Connection c, String id) throws SQLException {
        LockedRuns locked = LockedRuns.of(c);
        ObjectNode known = params.known(id);
        RunRow held = locked == null ? null : locked.run(id, known);
        if (held != null) {
            return Optional.of(held); // locked by this transaction already (an earlier reply of its batch)
        }
        Optional<RunRow> row;
        if (known != null) {
            row = Sql.one(
                    c, "SELECT " + RUN_COLS_LIGHTER + " FROM run WHERE id = ? FOR UPDATE", rs -> runRow(rs, known), id);
        } else {
            row = Sql.one(
                    c,
                    "SELECT " + RUN_COLS_LIGHT + " FROM run WHERE id = ? FOR UPDATE",
                    rs -> {
                        String text = rs.getString(5);
                        ObjectNode read = (ObjectNode) Json.parse(text);
                        params.read(id, text, read);
                        return runRow(rs, read);
                    },
                    id);
        }
        if (locked != null && row.isPresent()) {
            locked.locked(row.get(), params.keeps(id));
        }
        return row;
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
        LockedRuns locked = LockedRuns.of(c);
        if (locked != null) {
            locked.written(id, status, error, lastSeq, now, finishedAt);
        }
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

    /** Counts a rerun of the run: from now on its tickets may revive the rows its earlier tries left. */
    public void countRerun(Connection c, String id) throws SQLException {
        Sql.update(c, "UPDATE run SET reruns = reruns + 1 WHERE id = ?", id);
        LockedRuns locked = LockedRuns.of(c);
        if (locked != null) {
            locked.forgetRun(id); // read again, with its count
        }
    }

    /** The (pipeline, revision) pairs that runs still in progress are pinned to. */
    public List<String[]> activeRevisions(Connection c) throws SQLException {
        return Sql.list(
                c, "SELECT DISTINCT pipeline, revision FROM run WHERE status IN ('RUNNING', 'COMPENSATING')", rs ->
                        new String[] {rs.getString(1), rs.getString(2)});
    }

    private static RunRow runRow(ResultSet rs) throws SQLException {
        return runRow(rs, (ObjectNode) Json.parse(rs.getString(5)));
    }

    /** The row with its params as given (column 5 is not read). */
    private static RunRow runRow(ResultSet rs, ObjectNode params) throws SQLException {
        return new RunRow(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                RunStatus.valueOf(rs.getString(4)),
                params,
                (ObjectNode) json(rs.getString(6)),
                rs.getString(7),
                rs.getString(8),
                Sql.instant(rs, 9),
                Sql.instant(rs, 10),
                Sql.instant(rs, 11),
                rs.getString(12),
                rs.getInt(13),
                rs.getInt(14));
    }

    static JsonNode json(String text) {
        return text == null ? null : Json.parse(text);
    }

    static String jsonOrNull(JsonNode node) {
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
