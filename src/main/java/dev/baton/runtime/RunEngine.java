package dev.baton.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.compile.PipelineCatalog;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.Stage;
import dev.baton.ticket.OutboxStore;
import dev.baton.ticket.Rows.HistoryRow;
import dev.baton.ticket.Rows.Outgoing;
import dev.baton.ticket.Rows.RunRow;
import dev.baton.ticket.Rows.StageRow;
import dev.baton.ticket.Rows.TicketRow;
import dev.baton.ticket.RunStatus;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.StoreException;
import dev.baton.ticket.TicketStatus;
import dev.baton.ticket.Tx;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Applies every event of a run (start, agent reply, lease expiry) as one DB transaction that also records the
 * inbound message id and the outgoing messages; the caller hands those to the broker after the commit.
 */
public final class RunEngine {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RunEngine.class);
    private final Tx tx;
    private final RunStore store;
    private final PipelineCatalog pipelines;
    private final Transitions transitions;
    private final Clock clock;

    /** A started (or, for a repeated Idempotency-Key, an earlier) run and the messages to send. */
    public record Started(RunRow run, boolean replayed, List<Outgoing> outgoing) {}

    public RunEngine(Tx tx, RunStore store, OutboxStore outbox, PipelineCatalog pipelines, Clock clock) {
        this.tx = tx;
        this.store = store;
        this.pipelines = pipelines;
        this.transitions = new Transitions(store, outbox);
        this.clock = clock;
    }

    /**
     * The run an earlier request with this idempotency key made, if any. The same key with another pipeline or
     * another request is a conflict.
     *
     * @param requestHash hash of the request as the client sent it (before defaults are applied)
     */
    public Optional<RunRow> earlier(String idempotencyKey, String pipeline, String requestHash) {
        return tx.run(c -> store.runByIdempotencyKey(c, idempotencyKey))
                .map(earlier -> replay(earlier, pipeline, requestHash).run());
    }

    /**
     * Starts a run with already-resolved params. Callers look for an earlier run with the key first
     * ({@link #earlier}); a concurrent request with the same key that commits first makes this insert fail on the
     * key's unique index, and the answer is then that request's run.
     */
    public Started start(Pipeline p, ObjectNode params, String idempotencyKey, String requestHash) {
        try {
            return tx.run(c -> startIn(c, p, params, idempotencyKey, requestHash));
        } catch (StoreException e) {
            if (idempotencyKey != null && e.uniqueViolation()) {
                // A concurrent request with the same key won the insert: answer with its run.
                RunRow earlier = tx.run(c -> store.runByIdempotencyKey(c, idempotencyKey)).orElseThrow(() -> e);
                return replay(earlier, p.name(), requestHash);
            }
            throw e;
        }
    }

    private static Started replay(RunRow earlier, String pipeline, String requestHash) {
        if (!earlier.pipeline().equals(pipeline) || !java.util.Objects.equals(earlier.requestHash(), requestHash)) {
            throw new IdempotencyConflictException(earlier.id());
        }
        return new Started(earlier, true, List.of());
    }

    private Started startIn(Connection c, Pipeline p, ObjectNode params, String key, String requestHash)
            throws SQLException {
        Instant now = clock.instant();
        pipelines.remember(c, p);
        RunRow run = new RunRow(UUID.randomUUID().toString(), p.name(), p.revision(), RunStatus.RUNNING, params,
                RunContext.initial(params), key, null, now, now, null, requestHash);
        store.insertRun(c, run);
        store.history(c, new HistoryRow(1, run.id(), null, null, null, "RUN_RUNNING", null, Transitions.ENGINE,
                "revision " + p.revision().substring(0, 12), now));
        for (Stage stage : p.stages()) {
            store.insertStage(c, new StageRow(run.id(), stage.name(), TicketStatus.WAITING_DEPS, 0, null, null,
                    null, null));
        }
        Step s = new Step(c, now, p, run, store.stages(c, run.id()));
        transitions.release(s);
        return new Started(run, false, s.outgoing);
    }

    /** Applies an agent reply; returns the messages to send (empty for duplicates and refusals). */
    public List<Outgoing> onReply(String messageId, AgentReply reply) {
        return tx.run(c -> {
            if (!store.firstDelivery(c, messageId, clock.instant())) {
                LOG.debug("reply {} for ticket {} was applied before: ignored", messageId, reply.ticketId());
                return List.of();
            }
            Step s = lockedStep(c, reply.ticketId());
            TicketRow t = store.ticket(c, reply.ticketId()).orElseThrow();
            String refusal = refusal(s, t, reply.attempt());
            if (refusal != null) {
                transitions.refuse(s, t, reply.attempt(), refusal);
                return List.of();
            }
            Stage stage = s.pipeline.stage(t.stage()).orElseThrow();
            switch (reply.kind()) {
                case PROGRESS -> {
                    TicketRow current = t.status() == TicketStatus.QUEUED ? transitions.running(s, t, progressDetail(reply)) : t;
                    transitions.renewLease(s, stage, current);
                }
                case SUCCEEDED -> {
                    if (t.status() == TicketStatus.QUEUED) {
                        transitions.running(s, t, null);
                    }
                    transitions.succeed(s, stage, t, reply.output());
                }
                case FAILED -> transitions.failAttempt(s, stage, t, reply.errorMessage(), reply.retryable());
            }
            return s.outgoing;
        });
    }

    /** Drops inbox entries older than {@code keep}; returns how many. */
    public int pruneInbox(java.time.Duration keep) {
        return tx.run(c -> store.pruneInbox(c, clock.instant().minus(keep)));
    }

    /** A lease message came due: an attempt still in flight past its lease has timed out. */
    public List<Outgoing> onLease(String messageId, String ticketId, int attempt) {
        return tx.run(c -> {
            if (!store.firstDelivery(c, messageId, clock.instant())) {
                return List.of();
            }
            Step s = lockedStep(c, ticketId);
            TicketRow t = store.ticket(c, ticketId).orElseThrow();
            if (refusal(s, t, attempt) != null) {
                return List.of(); // answered or superseded in the meantime
            }
            transitions.leaseDue(s, s.pipeline.stage(t.stage()).orElseThrow(), t);
            return s.outgoing;
        });
    }

    /** Locks the ticket's run; the step's time is read after the lock, so a run's history is in time order. */
    private Step lockedStep(Connection c, String ticketId) throws SQLException {
        TicketRow unlocked = store.ticket(c, ticketId)
                .orElseThrow(() -> new PoisonMessageException("unknown ticket " + ticketId));
        RunRow run = store.lockRun(c, unlocked.runId()).orElseThrow();
        Instant now = clock.instant();
        Pipeline p = pipelines.pinned(c, run.pipeline(), run.revision());
        return new Step(c, now, p, run, store.stages(c, run.id()));
    }

    private static String refusal(Step s, TicketRow t, int attempt) {
        if (s.run.status().terminal()) {
            return "run is already " + s.run.status();
        }
        if (attempt != t.attempt()) {
            return "stale attempt " + attempt + "; the current attempt is " + t.attempt();
        }
        if (!t.status().active()) {
            return "ticket is already " + t.status();
        }
        return null;
    }

    private static String progressDetail(AgentReply r) {
        if (r.percent() == null && r.message() == null) {
            return null;
        }
        return (r.percent() == null ? "" : r.percent() + "% ") + (r.message() == null ? "" : r.message());
    }
}
