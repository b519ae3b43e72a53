package dev.baton.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Pipeline;
import dev.baton.ticket.Rows.Outgoing;
import dev.baton.ticket.Rows.RunRow;
import dev.baton.ticket.Rows.StageRow;
import dev.baton.ticket.RunStatus;
import dev.baton.ticket.RunStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One transition of one run, inside one DB transaction with the run row locked: what it read, what it changed,
 * and the messages it must emit once the transaction commits.
 */
final class Step {
    final Connection c;
    final Instant now;
    final Pipeline pipeline;
    final RunRow run;
    /** Stage rows by qualified name ({@code loop/inner} for a loop's inner stages). */
    final Map<String, StageRow> stages = new LinkedHashMap<>();

    final List<Outgoing> outgoing = new ArrayList<>();
    /** Stages changed by this step, written once in their last state when it saves. */
    private final java.util.Set<String> changedStages = new java.util.LinkedHashSet<>();
    /** History rows recorded by this step and not yet written. */
    private final List<dev.baton.ticket.Rows.HistoryRow> history = new ArrayList<>();

    private final RunStore store;
    private ObjectNode context;
    private boolean contextChanged;
    private int historySeq;
    RunStatus status;
    String error;
    /**
     * The run was rerun (before, or in this step): ticket rows its earlier tries left may be in the slots its stages
     * dispatch to, and are revived rather than inserted again.
     */
    boolean rerun;
    /** Set when this event is an attempt's time running out (lease or deadline): its failure is a timeout. */
    boolean timedOut;
    /** Compiled routes to call once the current one returns, in order (a stage that ended tells its dependents). */
    final java.util.ArrayDeque<Call> later = new java.util.ArrayDeque<>();
    /** The item tickets a for_each stage's splitter has made so far, stored together once it is done. */
    final List<dev.baton.ticket.TicketRow> splitItems = new ArrayList<>();
    /** A failure inside a compiled route that Camel would only log (an aggregate completed inline): rethrown. */
    RuntimeException failure;

    /** Records a failure inside a compiled route (the first one wins) and returns it, to be thrown. */
    RuntimeException failed(RuntimeException e) {
        if (failure == null) {
            failure = e;
        }
        return e;
    }

    /** A compiled route to call with a body. */
    record Call(String uri, Object body) {}

    private static final ThreadLocal<Step> CURRENT = new ThreadLocal<>();

    /** The step this thread is applying, for the compiled routes' processors and aggregation repositories. */
    static Step current() {
        Step s = CURRENT.get();
        if (s == null) {
            throw new IllegalStateException("no event is being applied on this thread");
        }
        return s;
    }

    /** While open, the step is the current one of this thread. */
    interface Entered extends AutoCloseable {
        @Override
        void close();
    }

    /** Makes this the current step until the returned scope closes. */
    Entered enter() {
        Step outer = CURRENT.get();
        CURRENT.set(this);
        return () -> CURRENT.set(outer);
    }

    Step(Connection c, RunStore store, Instant now, Pipeline pipeline, RunRow run, List<StageRow> stageRows) {
        this.c = c;
        this.store = store;
        this.now = now;
        this.pipeline = pipeline;
        this.run = run;
        this.context = run.context();
        this.historySeq = run.lastSeq();
        this.status = run.status();
        this.error = run.error();
        this.rerun = run.reruns() > 0;
        stageRows.forEach(s -> stages.put(s.name(), s));
    }

    /** The run context, read on first use: an item reply of a for_each does not need it. */
    ObjectNode context() throws SQLException {
        if (context == null) {
            context = store.context(c, run.id());
        }
        return context;
    }

    /** The context, for a change that must be written back. */
    ObjectNode changeContext() throws SQLException {
        contextChanged = true;
        return context();
    }

    /** Sets a stage's row; written when the step saves (a stage that runs and ends in one step is written once). */
    void putStage(StageRow row) {
        stages.put(row.name(), row);
        changedStages.add(row.name());
    }

    /** Records a history row; rows are written together when the step saves, or before history is read. */
    void history(dev.baton.ticket.Rows.HistoryRow h) {
        history.add(h);
    }

    /** Writes the history rows recorded so far, for a read of the history that must see them. */
    void flushHistory() throws SQLException {
        store.historyRows().history(c, history);
        history.clear();
    }

    int nextHistorySeq() {
        return ++historySeq;
    }

    /**
     * Writes what the step changed: its history rows, its stages' rows, and the run row (status, error, history
     * counter, and the context when a stage changed it). A step that
     * changed none of them (a repeated decision, a lease renewal) leaves the row alone; a run that had ended and is
     * still ended (a refused late reply or decision) keeps the time it ended.
     */
    void save() throws SQLException {
        flushHistory();
        if (!changedStages.isEmpty()) {
            store.stageRows()
                    .updateStages(c, changedStages.stream().map(stages::get).toList());
            changedStages.clear();
        }
        if (status == run.status()
                && historySeq == run.lastSeq()
                && !contextChanged
                && java.util.Objects.equals(error, run.error())) {
            return;
        }
        Instant finished = !status.terminal()
                ? null
                : run.status().terminal() && run.finishedAt() != null ? run.finishedAt() : now;
        store.updateRun(c, run.id(), status, contextChanged ? context : null, error, historySeq, now, finished);
    }
}
