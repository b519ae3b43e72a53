package dev.baton.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Pipeline;
import dev.baton.ticket.ReplyStore;
import dev.baton.ticket.Rows.Outgoing;
import dev.baton.ticket.Rows.RunRow;
import dev.baton.ticket.Tx;
import java.util.List;
import java.util.Optional;

/**
 * Applies every event of a run (start, agent reply, lease expiry) as one DB transaction that also records the
 * inbound message id and the outgoing messages; the caller hands those to the broker after the commit. Each kind of
 * event is applied by a collaborator of its own ({@link RunStarts}, {@link AgentReplies}, {@link AttemptEnds},
 * {@link RunCommands}) on a step {@link RunSteps} loads and saves.
 */
public final class RunEngine {
    private final RunSteps steps;
    private final RunStarts starts;
    private final AgentReplies replies;
    private final AttemptEnds ends;
    private final RunCommands commands;

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

    /** What a rerun reset, and the messages to send. */
    public record Rerun(List<String> stages, List<Outgoing> outgoing) {}

    /** What a decision did, and the messages to send. */
    public record Decision(ApprovalOutcome outcome, List<Outgoing> outgoing) {}

    RunEngine(RunSteps steps, RunStarts starts, AgentReplies replies, AttemptEnds ends, RunCommands commands) {
        this.steps = steps;
        this.starts = starts;
        this.replies = replies;
        this.ends = ends;
        this.commands = commands;
    }

    /**
     * The run an earlier request with this idempotency key made, if any. The same key with another pipeline or
     * another request is a conflict.
     *
     * @param requestHash hash of the request as the client sent it (before defaults are applied)
     */
    public Optional<RunRow> earlier(String idempotencyKey, String pipeline, String requestHash) {
        return starts.earlier(idempotencyKey, pipeline, requestHash);
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
        return starts.start(p, params, idempotencyKey, requestHash, submission);
    }

    /**
     * Sends the final result of a run started earlier (a JMS submission repeating its idempotency key) to this
     * submitter too. Returns false, changing nothing, when the run has already ended: the caller answers at once.
     */
    public boolean answerLater(String runId, ReplyStore.ReplyTo replyTo) {
        return starts.answerLater(runId, replyTo);
    }

    /** The inbox table as the idempotent repository of the routes that consume replies and coordinator messages. */
    InboxRepository inbox() {
        return new InboxRepository(steps.store(), steps.clock());
    }

    /** Where a consuming route's database transaction begins (or joins the batch's). */
    TransactionPolicy transaction() {
        return new TransactionPolicy(steps.tx());
    }

    Tx tx() {
        return steps.tx();
    }

    /** The run a reply's ticket belongs to, read before its batch: the lane it is applied in. */
    String runOfTicket(AgentReply reply) {
        return replies.runOfTicket(reply);
    }

    /** See {@link AgentReplies#applyReply(String, String, AgentReply)}. */
    List<Outgoing> applyReply(String messageId, String runId, AgentReply reply) {
        return replies.applyReply(messageId, runId, reply);
    }

    /** Drops inbox entries older than {@code keep}; returns how many. */
    public int pruneInbox(java.time.Duration keep) {
        return steps.tx()
                .run(c -> steps.store()
                        .inbox()
                        .pruneInbox(c, steps.clock().instant().minus(keep)));
    }

    /** The coordinator's messages, applied in the coordinator route's transaction after its inbox. */
    AttemptEnds attemptEnds() {
        return ends;
    }

    /**
     * A person's decision on an approval stage (REST, CLI or JMS). Idempotent per approver without an inbox: the
     * same decision again changes nothing and is answered REPEATED, so a redelivered JMS decision is answered too.
     *
     * @throws RefusedException when the run or stage does not exist or is not an approval waiting for people
     */
    public Decision decide(String runId, String stageName, String approver, boolean approve, String comment) {
        return commands.decide(runId, stageName, approver, approve, comment);
    }

    /**
     * Cancels a RUNNING run: tickets in flight become CANCELLED (their agents are told), completed stages with
     * {@code compensate} are compensated, and the run ends CANCELLED.
     */
    public List<Outgoing> cancel(String runId, String reason) {
        return commands.cancel(runId, reason);
    }

    /** Reruns an ended run from {@code from} (or, when null, from whatever did not succeed); see {@link Reruns}. */
    public Rerun rerun(String runId, String from) {
        return commands.rerun(runId, from);
    }
}
