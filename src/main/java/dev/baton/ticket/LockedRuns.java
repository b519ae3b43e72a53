package dev.baton.ticket;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.ticket.Rows.RunRow;
import dev.baton.ticket.Rows.StageRow;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The run rows a transaction has locked and the stage rows it has read, as it has written them since: a group commit
 * applies several replies of one run in one transaction, and each transition after the first finds the run row
 * already locked and both as the one before left them, instead of reading them again. Kept for one transaction
 * only ({@link Tx#gathered}): a rollback or a commit drops them. Every write of these rows goes through {@link RunStore}
 * and {@link StageStore}, which keep them current or forget them.
 */
final class LockedRuns implements Tx.BeforeCommit {
    /** A locked run row, with its params when the run store does not keep them ({@link RunParams}). */
    private record Held(RunRow row, ObjectNode params) {}

    private final Map<String, Held> runs = new HashMap<>();
    private final Map<String, List<StageRow>> stages = new HashMap<>();

    /** Those of the transaction {@code c} belongs to, or null outside one this thread runs. */
    static LockedRuns of(Connection c) {
        return Tx.gathered(c, LockedRuns.class, LockedRuns::new);
    }

    @Override
    public void flush(Connection c) {} // nothing to write: only what was read and written meanwhile

    /** Whether this transaction has locked the run's row. */
    boolean holds(String runId) {
        return runs.containsKey(runId);
    }

    /**
     * The run row as this transaction locked and wrote it, with {@code kept} (a copy of the params the run store
     * keeps) or else a copy of its own; null when it has not locked it, or holds no params to give.
     */
    RunRow run(String id, ObjectNode kept) {
        Held h = runs.get(id);
        if (h == null) {
            return null;
        }
        ObjectNode params =
                kept != null ? kept : h.params() == null ? null : h.params().deepCopy();
        RunRow r = h.row();
        return params == null
                ? null
                : row(r, params, r.status(), r.error(), r.lastSeq(), r.updatedAt(), r.finishedAt());
    }

    /** Just locked: its params are held here unless the run store keeps them ({@code paramsKept}). */
    void locked(RunRow r, boolean paramsKept) {
        runs.put(
                r.id(),
                new Held(
                        row(r, null, r.status(), r.error(), r.lastSeq(), r.updatedAt(), r.finishedAt()),
                        paramsKept ? null : r.params().deepCopy()));
    }

    /** The run row written with this state ({@link RunStore#updateRun}), if this transaction holds it. */
    void written(String id, RunStatus status, String error, int lastSeq, Instant updatedAt, Instant finishedAt) {
        Held h = runs.get(id);
        if (h != null) {
            runs.put(id, new Held(row(h.row(), null, status, error, lastSeq, updatedAt, finishedAt), h.params()));
        }
    }

    /** {@code r} with these params and this state: its context is not read, as a locked row has it. */
    private static RunRow row(
            RunRow r,
            ObjectNode params,
            RunStatus status,
            String error,
            int lastSeq,
            Instant updatedAt,
            Instant finishedAt) {
        return new RunRow(
                r.id(),
                r.pipeline(),
                r.revision(),
                status,
                params,
                null,
                r.idempotencyKey(),
                error,
                r.createdAt(),
                updatedAt,
                finishedAt,
                r.requestHash(),
                lastSeq,
                r.reruns());
    }

    void forgetRun(String id) {
        runs.remove(id);
        stages.remove(id);
    }

    /** Copies of the stage rows as this transaction read and wrote them; null when it has not read them. */
    List<StageRow> stages(String runId) {
        List<StageRow> held = stages.get(runId);
        return held == null ? null : copies(held);
    }

    void read(String runId, List<StageRow> rows) {
        stages.put(runId, copies(rows));
    }

    /** Rows written: those of runs read here replace theirs, by name. */
    void written(java.util.Collection<StageRow> rows) {
        for (StageRow r : rows) {
            List<StageRow> held = stages.get(r.runId());
            if (held == null) {
                continue;
            }
            boolean found = false;
            for (int i = 0; i < held.size(); i++) {
                if (held.get(i).name().equals(r.name())) {
                    held.set(i, copy(r));
                    found = true;
                }
            }
            if (!found) {
                stages.remove(r.runId()); // not a row it read: read them all again
            }
        }
    }

    void forgetStages(String runId) {
        stages.remove(runId);
    }

    /** Stage outputs are JSON trees a transition could change: each reader gets its own. */
    private static List<StageRow> copies(List<StageRow> rows) {
        List<StageRow> out = new ArrayList<>(rows.size());
        rows.forEach(r -> out.add(copy(r)));
        return out;
    }

    private static StageRow copy(StageRow r) {
        return r.output() == null || r.output().isValueNode()
                ? r
                : new StageRow(
                        r.runId(),
                        r.name(),
                        r.status(),
                        r.attempts(),
                        r.output().deepCopy(),
                        r.error(),
                        r.startedAt(),
                        r.finishedAt(),
                        r.iteration(),
                        r.itemsTotal(),
                        r.itemsNext(),
                        r.itemsDone(),
                        r.doneSeq());
    }
}
