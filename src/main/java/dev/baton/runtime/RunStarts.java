package dev.baton.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.compile.PipelineCatalog;
import dev.baton.compile.Scope;
import dev.baton.pipeline.LoopStage;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.Stage;
import dev.baton.ticket.ReplyStore;
import dev.baton.ticket.Rows.RunRow;
import dev.baton.ticket.Rows.StageRow;
import dev.baton.ticket.RunStatus;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.StoreException;
import dev.baton.ticket.Tx;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Starts runs: the run row, its stage rows and the first tickets in one transaction, once per idempotency key and
 * once per JMS submission.
 */
// try-with-resources whose resource is never read: its LogContext scope sets the log lines' run id.
@SuppressWarnings("try")
final class RunStarts {
    /** The engine's logger, as before these events had classes of their own: log filters and the docs name it. */
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RunEngine.class);
    /** Inbox ids of JMS submissions, apart from those of agent replies. */
    private static final String SUBMIT_INBOX_PREFIX = "submit:";

    private final RunSteps steps;
    private final Tx tx;
    private final RunStore store;
    private final PipelineCatalog pipelines;
    private final Clock clock;
    private final RunEngine.Reporting reporting;
    private final Stages stages;

    RunStarts(RunSteps steps, Stages stages) {
        this.steps = steps;
        this.tx = steps.tx();
        this.store = steps.store();
        this.pipelines = steps.pipelines();
        this.clock = steps.clock();
        this.reporting = steps.reporting();
        this.stages = stages;
    }

    /** See {@link RunEngine#earlier}. */
    Optional<RunRow> earlier(String idempotencyKey, String pipeline, String requestHash) {
        return tx.run(c -> store.runByIdempotencyKey(c, idempotencyKey))
                .map(earlier -> replay(earlier, pipeline, requestHash).run());
    }

    /** See {@link RunEngine#start(Pipeline, ObjectNode, String, String, RunEngine.Submission)}. */
    RunEngine.Started start(
            Pipeline p, ObjectNode params, String idempotencyKey, String requestHash, RunEngine.Submission submission) {
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

    private static RunEngine.Started replay(RunRow earlier, String pipeline, String requestHash) {
        if (!earlier.pipeline().equals(pipeline) || !java.util.Objects.equals(earlier.requestHash(), requestHash)) {
            throw new IdempotencyConflictException(earlier.id());
        }
        return new RunEngine.Started(earlier, true, List.of());
    }

    private RunEngine.Started startIn(
            Connection c,
            Pipeline p,
            ObjectNode params,
            String key,
            String requestHash,
            RunEngine.Submission submission)
            throws SQLException {
        Instant now = clock.instant();
        if (submission != null
                && submission.messageId() != null
                && !store.inbox().firstDelivery(c, SUBMIT_INBOX_PREFIX + submission.messageId(), now)) {
            throw new AlreadySubmittedException(submission.messageId());
        }
        pipelines.remember(c, p);
        steps.ensureRoutes(p);
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
                0,
                0);
        store.insertRun(c, run);
        if (submission != null && submission.replyTo() != null) {
            reporting.replies().add(c, run.id(), submission.replyTo(), now);
        }
        // The rows as inserted are the new run's stages: not read back.
        List<StageRow> stageRows = new ArrayList<>();
        waitingStages(run.id(), Scope.top(p), stageRows);
        store.stageRows().insertStages(c, stageRows);
        try (LogContext log = LogContext.run(run.id())) {
            // Said once it has happened: a start that rolls back (a concurrent request with the same key) logs nothing.
            String revision = p.revision().substring(0, 12);
            Tx.afterCommit(() -> LOG.info("run {} of '{}' started on revision {}", run.id(), p.name(), revision));
            Step s = new Step(c, store, now, p, run, stageRows);
            stages.tickets()
                    .note(s, null, "RUN_RUNNING", "revision " + p.revision().substring(0, 12));
            stages.release(s, Scope.top(p));
            reporting.metrics().runStarted(p.name());
            steps.save(s);
            return new RunEngine.Started(run, false, s.outgoing);
        }
    }

    /** See {@link RunEngine#answerLater}. */
    boolean answerLater(String runId, ReplyStore.ReplyTo replyTo) {
        return tx.run(c -> {
            RunRow run = store.lockRun(c, runId).orElseThrow();
            if (run.status().terminal()) {
                return false;
            }
            reporting.replies().add(c, runId, replyTo, clock.instant());
            return true;
        });
    }

    /** A WAITING_DEPS row for every stage of the scope, a loop's inner stages after their loop. */
    private static void waitingStages(String runId, Scope scope, List<StageRow> into) {
        for (Stage stage : scope.stages()) {
            into.add(StageRow.waiting(runId, scope.qualified(stage)));
            if (stage instanceof LoopStage loop) {
                waitingStages(runId, scope.inner(loop), into);
            }
        }
    }
}
