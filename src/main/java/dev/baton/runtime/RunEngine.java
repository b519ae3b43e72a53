package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.compile.PipelineCatalog;
import dev.baton.compile.Scope;
import dev.baton.pipeline.LoopStage;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.Stage;
import dev.baton.ticket.AgentStore;
import dev.baton.ticket.ReplyStore;
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
// try-with-resources whose resource is never read: its LogContext scopes set the log lines' run and ticket ids for the
// block they enclose.
@SuppressWarnings("try")
public final class RunEngine {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RunEngine.class);
    /** Inbox ids of JMS submissions, apart from those of agent replies. */
    private static final String SUBMIT_INBOX_PREFIX = "submit:";

    private final Tx tx;
    private final RunStore store;
    private final PipelineCatalog pipelines;
    private final Stages stages;
    private final Tickets tickets;
    private final Reruns reruns;
    private final RouteCalls calls;
    private final Revisions revisions;
    private final Clock clock;
    private final Reporting reporting;
    private final Faults faults;
    private final AgentStore agents = new AgentStore();
    private final Spending spending;

    /** A started (or, for a repeated Idempotency-Key, an earlier) run and the messages to send. */
    public record Started(RunRow run, boolean replayed, List<Outgoing> outgoing) {}

    /** What follows from runs beyond the store: metrics, and the answers to runs started over JMS. */
    public record Reporting(RunMetrics metrics, RunReplies replies) {}

    /**
     * Where a run submitted over JMS came from: its message id (a redelivery of an applied submission starts
     * nothing; null when the sender disabled message ids) and where to send the final result.
     */
    public record Submission(String messageId, ReplyStore.ReplyTo replyTo) {}

    /** Makes sure the compiled routes of a revision are in the CamelContext before one of its events is applied. */
    @FunctionalInterface
    public interface Revisions {
        void ensure(Pipeline p) throws Exception;
    }

    RunEngine(Tx tx, PipelineCatalog pipelines, Clock clock, Reporting reporting, Faults faults, EngineParts parts) {
        this.tx = tx;
        this.faults = faults;
        this.pipelines = pipelines;
        this.clock = clock;
        this.reporting = reporting;
        this.store = parts.stages().tickets().store();
        this.stages = parts.stages();
        this.tickets = parts.stages().tickets();
        this.spending = parts.spending();
        this.reruns = parts.reruns();
        this.calls = parts.calls();
        this.revisions = parts.revisions();
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
        return start(p, params, idempotencyKey, requestHash, null);
    }

    /**
     * {@link #start(Pipeline, ObjectNode, String, String)} for a submission over JMS: the reply destination is stored
     * with the run in the same transaction.
     *
     * @throws AlreadySubmittedException when this JMS message already started a run (a redelivery)
     */
    public Started start(
            Pipeline p, ObjectNode params, String idempotencyKey, String requestHash, Submission submission) {
        try {
            return tx.run(c -> startIn(c, p, params, idempotencyKey, requestHash, submission));
        } catch (StoreException e) {
            if (idempotencyKey != null && e.uniqueViolation()) {
                // A concurrent request with the same key won the insert: answer with its run.
                RunRow earlier = tx.run(c -> store.runByIdempotencyKey(c, idempotencyKey))
                        .orElseThrow(() -> e);
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

    private Started startIn(
            Connection c, Pipeline p, ObjectNode params, String key, String requestHash, Submission submission)
            throws SQLException {
        Instant now = clock.instant();
        if (submission != null
                && submission.messageId() != null
                && !store.firstDelivery(c, SUBMIT_INBOX_PREFIX + submission.messageId(), now)) {
            throw new AlreadySubmittedException(submission.messageId());
        }
        pipelines.remember(c, p);
        ensureRoutes(p);
        RunRow run = new RunRow(
                UUID.randomUUID().toString(),
                p.name(),
                p.revision(),
                RunStatus.RUNNING,
                params,
                RunContext.initial(params),
                key,
                null,
                now,
                now,
                null,
                requestHash,
                0);
        store.insertRun(c, run);
        if (submission != null && submission.replyTo() != null) {
            reporting.replies().add(c, run.id(), submission.replyTo(), now);
        }
        insertStages(c, run.id(), Scope.top(p));
        try (LogContext log = LogContext.run(run.id())) {
            // Said once it has happened: a start that rolls back (a concurrent request with the same key) logs nothing.
            String revision = p.revision().substring(0, 12);
            Tx.afterCommit(() -> LOG.info("run {} of '{}' started on revision {}", run.id(), p.name(), revision));
            Step s = new Step(c, store, now, p, run, store.stages(c, run.id()));
            tickets.note(s, null, "RUN_RUNNING", "revision " + p.revision().substring(0, 12));
            stages.release(s, Scope.top(p));
            reporting.metrics().runStarted(p.name());
            save(s);
            return new Started(run, false, s.outgoing);
        }
    }

    /**
     * Sends the final result of a run started earlier (a JMS submission repeating its idempotency key) to this
     * submitter too. Returns false, changing nothing, when the run has already ended: the caller answers at once.
     */
    public boolean answerLater(String runId, ReplyStore.ReplyTo replyTo) {
        return tx.run(c -> {
            RunRow run = store.lockRun(c, runId).orElseThrow();
            if (run.status().terminal()) {
                return false;
            }
            reporting.replies().add(c, runId, replyTo, clock.instant());
            return true;
        });
    }

    /** Writes the step's run row; a run that ends here is counted and, if it was submitted over JMS, answered. */
    private void save(Step s) throws SQLException {
        calls.drain(s);
        s.save();
        if (s.status.terminal() && s.status != s.run.status()) {
            reporting.metrics().runEnded(s.run.pipeline(), s.status);
            reporting.metrics().traces().runEnded(s);
            reporting.replies().ended(s);
        }
    }

    private void insertStages(Connection c, String runId, Scope scope) throws SQLException {
        for (Stage stage : scope.stages()) {
            store.insertStage(c, StageRow.waiting(runId, scope.qualified(stage)));
            if (stage instanceof LoopStage loop) {
                insertStages(c, runId, scope.inner(loop));
            }
        }
    }

    /** The inbox table as the results route's idempotent repository. */
    InboxRepository inbox() {
        return new InboxRepository(store, clock);
    }

    /** Where the results route's database transaction begins (or joins the batch's). */
    TransactionPolicy transaction() {
        return new TransactionPolicy(tx);
    }

    Tx tx() {
        return tx;
    }

    /** The run a reply's ticket belongs to, read before its batch: the lane it is applied in. */
    String runOfTicket(AgentReply reply) {
        return tx.run(c -> store.runOfTicket(c, reply.ticketId()))
                .orElseThrow(() -> new PoisonMessageException("unknown ticket " + reply.ticketId()));
    }

    /**
     * Applies an agent reply in the transaction the results route began, whose idempotent consumer has just
     * recorded the reply's message id; returns the messages to send (the event for a refusal).
     */
    List<Outgoing> applyReply(String messageId, String runId, AgentReply reply) {
        try (LogContext ticket = LogContext.ticket(reply.ticketId());
                LogContext run = LogContext.run(null)) {
            Connection c = Tx.current();
            try {
                return applyReply(c, messageId, runId, reply);
            } catch (UnloadableRevisionException e) {
                return e.outgoing();
            } catch (SQLException e) {
                throw new StoreException(e);
            }
        }
    }

    private List<Outgoing> applyReply(Connection c, String messageId, String runId, AgentReply reply)
            throws SQLException {
        // The ticket is read once its run is locked: what it says then holds until this transaction ends.
        Step s = step(c, store.lockRun(c, runId).orElseThrow(() -> gone(reply.ticketId())));
        TicketRow t = store.ticket(c, reply.ticketId())
                .filter(found -> found.runId().equals(runId))
                .orElseThrow(() -> gone(reply.ticketId()));
        // The broker stamps who sent it: one agent's user cannot answer another agent's ticket.
        String refusal = reply.sender() != null && !reply.sender().equals(t.agent())
                ? "reply sent by broker user '" + reply.sender() + "', not by agent '" + t.agent() + "'"
                : refusal(s, t, reply.attempt());
        if (refusal != null) {
            String overBudget = null;
            if (reply.usage() != null
                    && (reply.sender() == null || reply.sender().equals(t.agent()))) {
                // A late or stale reply was refused, but the tokens behind it were spent all the same.
                overBudget = spending.record(s, t, reply.usage());
            }
            if (overBudget != null) {
                tickets.note(s, t.stage(), "BUDGET_EXCEEDED", overBudget);
                stages.failRun(s, overBudget);
            }
            LOG.debug("reply {} to attempt {} refused: {}", messageId, reply.attempt(), refusal);
            boolean recorded = tickets.refuse(
                    s,
                    t,
                    reply.attempt(),
                    refusal + (reply.instance() == null ? "" : " (from instance " + reply.instance() + ")"));
            if (!recorded && reply.usage() == null) {
                // Counted on the refusal's row: keeping its id would grow the inbox by one row per copy. A
                // reply with usage keeps it, so that a redelivery does not count its tokens twice.
                store.forgetDelivery(c, messageId);
            }
            save(s);
            return s.outgoing; // the REFUSED event, none for a repeat
        }
        // Only progress says "I hold it and work on"; a final reply ends the attempt, so who held it is moot.
        if (reply.instance() != null && reply.kind() == AgentReply.Kind.PROGRESS && t.agent() != null) {
            agents.hold(c, t.id(), t.attempt(), t.agent(), reply.instance(), s.now);
        }
        LOG.debug("applying reply {}: attempt {} {}", messageId, reply.attempt(), reply.kind());
        String overBudget = reply.usage() == null ? null : spending.record(s, t, reply.usage());
        // Tool calls come with the reply that ends the attempt: one that ends it is applied once (its inbox row
        // stays), whereas a progress report may be forgotten and applied again.
        if (reply.kind() != AgentReply.Kind.PROGRESS) {
            for (JsonNode call : reply.toolCalls()) {
                tickets.toolCall(s, t, reply.attempt(), call);
            }
        }
        TicketTiming timing = tickets.timing();
        Instant heard = timing.heard(s, t, reply.kind() == AgentReply.Kind.PROGRESS);
        if (overBudget != null) {
            stopOverBudget(s, t, reply, heard, overBudget);
        } else
            switch (reply.kind()) {
                case PROGRESS -> {
                    TicketRow current =
                            t.status() == TicketStatus.QUEUED ? started(s, t, progressDetail(reply), true) : t;
                    tickets.renewLease(s, current, policy(s, current));
                    if (t.status() == TicketStatus.RUNNING && reply.usage() == null) {
                        // Only renewed a lease, which a redelivery may do again: keeping its id would let an
                        // agent that reports progress in a tight loop grow the inbox by a row a message.
                        store.forgetDelivery(c, messageId);
                    }
                }
                case SUCCEEDED -> {
                    timing.done(s, t, heard, RunMetrics.Outcome.SUCCEEDED);
                    // Its row is written once, by the success that follows.
                    succeeded(s, t.status() == TicketStatus.QUEUED ? started(s, t, null, false) : t, reply.output());
                }
                case FAILED ->
                    timing.done(
                            s,
                            t,
                            heard,
                            failed(s, t, reply.errorMessage(), reply.retryable())
                                    ? RunMetrics.Outcome.RETRIED
                                    : RunMetrics.Outcome.FAILED);
            }
        save(s);
        faults.pass(Faults.BEFORE_DB_COMMIT);
        faults.pass(faultPoint(s, t));
        return s.outgoing;
    }

    /**
     * The reply took the run past its budget: the reply's own outcome is kept on its ticket, but its stage goes no
     * further and the run fails (compensating what completed), so nothing more is dispatched.
     */
    private void stopOverBudget(Step s, TicketRow t, AgentReply reply, Instant heard, String why) throws SQLException {
        TicketTiming timing = tickets.timing();
        switch (reply.kind()) {
            case SUCCEEDED -> {
                timing.done(s, t, heard, RunMetrics.Outcome.SUCCEEDED);
                tickets.succeed(s, t, reply.output(), "the run's budget is spent: the stage goes no further");
            }
            case FAILED -> {
                timing.done(s, t, heard, RunMetrics.Outcome.FAILED);
                tickets.fail(s, t, reply.errorMessage());
            }
            case PROGRESS -> {} // the attempt in flight is cancelled with the run, and its agent told
        }
        tickets.note(s, t.stage(), "BUDGET_EXCEEDED", why);
        stages.failRun(s, why);
    }

    /** The fault-injection point of the reply being applied, by what the ticket was for. */
    private static String faultPoint(Step s, TicketRow t) {
        if (t.compensation()) {
            return Faults.IN_COMPENSATION;
        }
        Stage stage = Scope.find(s.pipeline, t.stage()).stage();
        return stage instanceof dev.baton.pipeline.ForEachStage
                ? Faults.IN_SPLIT
                : stage instanceof dev.baton.pipeline.MultiAgentStage ? Faults.IN_AGGREGATION : "";
    }

    private TicketRow started(Step s, TicketRow t, String detail, boolean write) throws SQLException {
        TicketRow r = tickets.running(s, t, detail, write);
        stages.running(s, r);
        return r;
    }

    /** A work ticket succeeded: its stage's compiled {@code ended} route decides what that means. */
    private void succeeded(Step s, TicketRow t, JsonNode output) throws SQLException {
        if (t.compensation()) {
            tickets.succeed(s, t, output, null);
            stages.compensateNext(s);
        } else {
            s.later.add(new Step.Call(Stages.uri(s, t.stage(), "ended"), new TicketEnd(t, output, null)));
        }
    }

    /** Applies a failed attempt; true when another attempt was dispatched. */
    private boolean failed(Step s, TicketRow t, String error, boolean retryable) throws SQLException {
        if (tickets.retry(s, t, policy(s, t), error, retryable)) {
            stages.retrying(s, t);
            return true;
        } else if (t.compensation()) {
            TicketRow failed = tickets.fail(s, t, error);
            stages.finish(s, RunStatus.FAILED, Compensations.failure(s, failed, error));
        } else {
            s.later.add(new Step.Call(Stages.uri(s, t.stage(), "ended"), new TicketEnd(t, null, error)));
        }
        return false;
    }

    private static TicketPolicy policy(Step s, TicketRow t) {
        Stage stage = Scope.find(s.pipeline, t.stage()).stage();
        return t.compensation()
                ? TicketPolicy.of(stage.base(), stage.base().compensate())
                : TicketPolicy.of(stage.base());
    }

    /** Drops inbox entries older than {@code keep}; returns how many. */
    public int pruneInbox(java.time.Duration keep) {
        return tx.run(c -> store.pruneInbox(c, clock.instant().minus(keep)));
    }

    /** A lease message came due: an attempt still in flight past its lease has timed out. */
    public List<Outgoing> onLease(String messageId, String ticketId, int attempt) {
        return onCurrentAttempt(messageId, ticketId, attempt, (s, t) -> {
            if (tickets.leaseExpired(s, t)) {
                s.timedOut = true;
                failed(s, t, Tickets.leaseDetail(policy(s, t).timeout(), t.attempt()), true);
            }
        });
    }

    /**
     * An attempt's ticket expired in its agent's queue (its stage's {@code deadline} passed before any agent took
     * it; the broker moved it to {@code baton.tickets.expired}): a timeout of that attempt, like a lease's end.
     */
    public List<Outgoing> onExpired(String messageId, String ticketId, int attempt) {
        return onCurrentAttempt(messageId, ticketId, attempt, (s, t) -> {
            s.timedOut = true;
            failed(s, t, Tickets.deadlineDetail(policy(s, t).deadline(), t.attempt(), t.agent()), true);
        });
    }

    /** What ends an attempt: a lease or deadline that ran out, the instance holding it gone. */
    @FunctionalInterface
    private interface AttemptEnd {
        void apply(Step s, TicketRow t) throws SQLException;
    }

    /**
     * The one path for everything that ends an attempt from outside (lease, deadline, instance DOWN): applied once per
     * inbound message, and only to the ticket's current, active attempt, so a repeated or late message (a duplicate
     * expiry, a lease check after the reply) changes nothing.
     */
    private List<Outgoing> onCurrentAttempt(String messageId, String ticketId, int attempt, AttemptEnd end) {
        try (LogContext ticket = LogContext.ticket(ticketId);
                LogContext run = LogContext.run(null)) {
            return events(c -> {
                Optional<Step> found =
                        store.firstDelivery(c, messageId, clock.instant()) ? timerStep(c, ticketId) : Optional.empty();
                if (found.isEmpty()) {
                    return List.of();
                }
                Step s = found.get();
                TicketRow t = store.ticket(c, ticketId).orElseThrow();
                if (refusal(s, t, attempt) != null) {
                    return List.of(); // answered, superseded or cancelled in the meantime
                }
                end.apply(s, t);
                save(s);
                return s.outgoing;
            });
        }
    }

    /**
     * An instance that held this attempt went DOWN: its lease ends now, whether or not the stage has a timeout (without
     * one the attempt would wait for ever), and attempt + 1 is dispatched at once — the work did not fail, so this
     * never fails the stage (it does count towards the retry budget of later failures). A reply the dead instance
     * sends after all is refused: its attempt is no longer current.
     */
    public List<Outgoing> onInstanceDown(
            String messageId, String ticketId, int attempt, String instance, String lastHeartbeat) {
        return onCurrentAttempt(messageId, ticketId, attempt, (s, t) -> {
            tickets.redispatch(
                    s,
                    t,
                    policy(s, t),
                    "instance " + instance + " of agent " + t.agent() + " is DOWN (last heartbeat " + lastHeartbeat
                            + "); lease ended on attempt " + t.attempt());
            stages.retrying(s, t);
        });
    }

    /**
     * A person's decision on an approval stage (REST, CLI or JMS). Idempotent per approver without an inbox: the
     * same decision again changes nothing and is answered REPEATED, so a redelivered JMS decision is answered too.
     *
     * @throws RefusedException when the run or stage does not exist or is not an approval waiting for people
     */
    public Decision decide(String runId, String stageName, String approver, boolean approve, String comment) {
        try (LogContext run = LogContext.run(runId)) {
            return tx.run(c -> {
                Step s = lockedRun(c, runId);
                Pipeline p = s.pipeline;
                Stage stage = p.stage(stageName)
                        .orElseThrow(() -> new RefusedException(
                                404, "pipeline '" + p.name() + "' has no stage '" + stageName + "'"));
                if (!(stage instanceof dev.baton.pipeline.ApprovalStage approval)) {
                    throw new RefusedException(400, "stage '" + stageName + "' is " + stage.kind() + ", not approval");
                }
                StageRow row = s.stages.get(stageName);
                TicketRow t = store.ticket(c, runId, stageName, row.iteration(), 0)
                        .orElseThrow(() -> new RefusedException(
                                409,
                                "stage '" + stageName + "' is not waiting for approval yet (it is " + row.status()
                                        + ")"));
                ApprovalOutcome outcome = (ApprovalOutcome) calls.request(
                        s,
                        Stages.uri(s, stageName, "decide"),
                        new ApprovalSteps.Decision(t, approver, approve, comment));
                save(s);
                return new Decision(outcome, s.outgoing);
            });
        }
    }

    /**
     * Cancels a RUNNING run: tickets in flight become CANCELLED (their agents are told), completed stages with
     * {@code compensate} are compensated, and the run ends CANCELLED.
     */
    public List<Outgoing> cancel(String runId, String reason) {
        try (LogContext run = LogContext.run(runId)) {
            return events(c -> {
                Step s = lockedRun(c, runId);
                if (s.status != RunStatus.RUNNING) {
                    throw new RefusedException(
                            409,
                            "run " + runId + " is " + s.status + "; only a RUNNING run can be " + "cancelled"
                                    + (s.status == RunStatus.COMPENSATING ? " (its compensation must finish)" : ""));
                }
                stages.cancelRun(s, reason == null ? "cancelled by request" : reason);
                save(s);
                return s.outgoing;
            });
        }
    }

    /** What a rerun reset, and the messages to send. */
    public record Rerun(List<String> stages, List<Outgoing> outgoing) {}

    /** Reruns an ended run from {@code from} (or, when null, from whatever did not succeed); see {@link Reruns}. */
    public Rerun rerun(String runId, String from) {
        try (LogContext run = LogContext.run(runId)) {
            return tx.run(c -> {
                Step s = lockedRun(c, runId);
                List<String> stages = reruns.rerun(s, from);
                save(s);
                return new Rerun(stages, s.outgoing);
            });
        }
    }

    private Step lockedRun(Connection c, String runId) throws SQLException {
        RunRow run = store.lockRun(c, runId)
                .orElseThrow(() -> new RefusedException(404, "run " + runId + " does not exist"));
        try {
            return step(c, run);
        } catch (UnloadableRevisionException e) {
            throw new RefusedException(409, e.getMessage()); // rolled back: the run's next event fails it
        }
    }

    /**
     * Applies an event in one transaction. When the run's pinned revision can no longer be compiled, the run has
     * been failed in that transaction instead, and its messages are sent.
     */
    private List<Outgoing> events(Tx.Work<List<Outgoing>> work) {
        return tx.run(c -> {
            try {
                return work.apply(c);
            } catch (UnloadableRevisionException e) {
                return e.outgoing();
            }
        });
    }

    /** What a decision did, and the messages to send. */
    public record Decision(ApprovalOutcome outcome, List<Outgoing> outgoing) {}

    /** An approval stage's timeout came due. */
    public List<Outgoing> onApprovalTimeout(String messageId, String ticketId, int attempt) {
        try (LogContext ticket = LogContext.ticket(ticketId);
                LogContext run = LogContext.run(null)) {
            return events(c -> {
                Optional<Step> found =
                        store.firstDelivery(c, messageId, clock.instant()) ? timerStep(c, ticketId) : Optional.empty();
                if (found.isEmpty()) {
                    return List.of();
                }
                Step s = found.get();
                TicketRow t = store.ticket(c, ticketId).orElseThrow();
                s.later.add(new Step.Call(Stages.uri(s, t.stage(), "timeout"), new ApprovalSteps.Timeout(t, attempt)));
                save(s);
                return s.outgoing;
            });
        }
    }

    /**
     * {@link #lockedRun} for a timer of Baton's own (lease, deadline, approval timeout, instance DOWN): empty when the
     * ticket or its run no longer exists, because the run finished and retention deleted it before the timer came due
     * (or while this waited for the run's lock, which the deletion holds). Nothing is left to apply it to. An agent's
     * reply for an unknown ticket is still dead-lettered: that is input from outside.
     */
    private Optional<Step> timerStep(Connection c, String ticketId) throws SQLException {
        Optional<TicketRow> unlocked = store.ticket(c, ticketId);
        Optional<RunRow> run = unlocked.isEmpty()
                ? Optional.empty()
                : store.lockRun(c, unlocked.get().runId());
        if (run.isEmpty()) {
            LOG.debug("ticket {} no longer exists (its run was deleted): timer ignored", ticketId);
            return Optional.empty();
        }
        return Optional.of(step(c, run.get()));
    }

    /** A reply whose ticket or run no longer exists (retention deleted it since the reply was read). */
    private static PoisonMessageException gone(String ticketId) {
        return new PoisonMessageException("the run of ticket " + ticketId + " was deleted");
    }

    /** The step of a locked run; its time is read after the lock, so a run's history is in time order. */
    private Step step(Connection c, RunRow run) throws SQLException {
        LogContext.runIs(run.id());
        Instant now = clock.instant();
        Pipeline p;
        try {
            p = pipelines.pinned(c, run.pipeline(), run.revision());
            ensureRoutes(p);
        } catch (IllegalStateException | CompileException e) {
            // Redelivering its events would never help: the run fails, saying which revision and why.
            Step s = new Step(c, store, now, null, run, store.stages(c, run.id()));
            String why = "revision " + run.revision().substring(0, 12) + " of pipeline '" + run.pipeline()
                    + "' can no longer be compiled: " + e.getMessage();
            if (!run.status().terminal()) {
                stages.abandon(s, why);
                s.save();
            }
            throw new UnloadableRevisionException(why, s.outgoing);
        }
        return new Step(c, store, now, p, run, store.stages(c, run.id()));
    }

    /** A revision whose routes cannot be added to the CamelContext. */
    private static final class CompileException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CompileException(Exception cause) {
            super(cause.getMessage(), cause);
        }
    }

    private void ensureRoutes(Pipeline p) {
        try {
            revisions.ensure(p);
        } catch (Exception e) {
            throw new CompileException(e);
        }
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
