package dev.baton.ticket;

import dev.baton.ticket.Rows.StageRow;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** Reads and writes a run's stage rows; every method works inside the caller's transaction. */
public final class StageStore {
    private static final String STAGE_COLS = "run_id, name, status, attempts, output, error, started_at, finished_at, "
            + "iteration, items_total, items_next, items_done, done_seq";

    /** Inserts stage rows in one batch: a new run's. */
    public void insertStages(Connection c, List<StageRow> rows) throws SQLException {
        List<Object[]> values = new java.util.ArrayList<>(rows.size());
        for (StageRow s : rows) {
            values.add(keyThen(s, state(s)));
        }
        Sql.batch(c, Sql.insert("run_stage", STAGE_COLS), values);
        LockedRuns locked = LockedRuns.of(c);
        if (locked != null) {
            rows.forEach(r -> locked.forgetStages(r.runId()));
        }
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
            Object[] state = state(s);
            Object[] row = java.util.Arrays.copyOf(state, state.length + 2);
            row[state.length] = s.runId();
            row[state.length + 1] = s.name();
            values.add(row);
        }
        Sql.batch(
                c,
                "UPDATE run_stage SET status = ?, attempts = ?, output = ?, error = ?, started_at = ?, "
                        + "finished_at = ?, iteration = ?, items_total = ?, items_next = ?, items_done = ?, "
                        + "done_seq = ? WHERE run_id = ? AND name = ?",
                values);
        LockedRuns locked = LockedRuns.of(c);
        if (locked != null) {
            locked.written(rows);
        }
    }

    /** A stage row's columns after its key (run id, name), in the order of {@link #STAGE_COLS}. */
    private static Object[] state(StageRow s) {
        return new Object[] {
            s.status().name(),
            s.attempts(),
            RunStore.jsonOrNull(s.output()),
            s.error(),
            s.startedAt(),
            s.finishedAt(),
            s.iteration(),
            s.itemsTotal(),
            s.itemsNext(),
            s.itemsDone(),
            s.doneSeq()
        };
    }

    private static Object[] keyThen(StageRow s, Object[] state) {
        Object[] row = new Object[state.length + 2];
        row[0] = s.runId();
        row[1] = s.name();
        System.arraycopy(state, 0, row, 2, state.length);
        return row;
    }

    /**
     * The run's stage rows. A transaction that holds the run's row locked reads them once and then keeps them as it
     * writes them ({@link LockedRuns}): no other transaction can change them meanwhile.
     */
    public List<StageRow> stages(Connection c, String runId) throws SQLException {
        LockedRuns locked = LockedRuns.of(c);
        if (locked == null || !locked.holds(runId)) {
            return read(c, runId);
        }
        List<StageRow> held = locked.stages(runId);
        if (held != null) {
            return held;
        }
        List<StageRow> rows = read(c, runId);
        locked.read(runId, rows);
        return rows;
    }

    private static List<StageRow> read(Connection c, String runId) throws SQLException {
        return Sql.list(
                c,
                "SELECT " + STAGE_COLS + " FROM run_stage WHERE run_id = ?",
                rs -> new StageRow(
                        rs.getString(1),
                        rs.getString(2),
                        TicketStatus.valueOf(rs.getString(3)),
                        rs.getInt(4),
                        RunStore.json(rs.getString(5)),
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
}
