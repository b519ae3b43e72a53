package dev.baton.runtime;

import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.Stage;
import dev.baton.ticket.Rows.Outgoing;
import dev.baton.ticket.Rows.StageRow;
import dev.baton.ticket.RunStatus;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.TicketRow;
import dev.baton.ticket.Tx;
import java.util.List;

/** What people ask of a run: an approval decision, a cancel, a rerun; each applied in one transaction. */
// try-with-resources whose resource is never read: its LogContext scope sets the log lines' run id.
@SuppressWarnings("try")
final class RunCommands {
    private final RunSteps steps;
    private final Tx tx;
    private final RunStore store;
    private final Stages stages;
    private final Reruns reruns;
    private final RouteCalls calls;

    RunCommands(RunSteps steps, Stages stages, Reruns reruns, RouteCalls calls) {
        this.steps = steps;
        this.tx = steps.tx();
        this.store = steps.store();
        this.stages = stages;
        this.reruns = reruns;
        this.calls = calls;
    }

    /** See {@link RunEngine#decide}. */
    RunEngine.Decision decide(String runId, String stageName, String approver, boolean approve, String comment) {
        try (LogContext run = LogContext.run(runId)) {
            return tx.run(c -> {
                Step s = steps.lockedRun(c, runId);
                Pipeline p = s.pipeline;
                Stage stage = p.stage(stageName)
                        .orElseThrow(() -> new RefusedException(
                                404, "pipeline '" + p.name() + "' has no stage '" + stageName + "'"));
                if (!(stage instanceof dev.baton.pipeline.ApprovalStage approval)) {
                    throw new RefusedException(400, "stage '" + stageName + "' is " + stage.kind() + ", not approval");
                }
                StageRow row = s.stages.get(stageName);
                TicketRow t = store.ticketRows()
                        .ticket(c, runId, stageName, row.iteration(), 0)
                        .orElseThrow(() -> new RefusedException(
                                409,
                                "stage '" + stageName + "' is not waiting for approval yet (it is " + row.status()
                                        + ")"));
                ApprovalOutcome outcome = (ApprovalOutcome) calls.request(
                        s,
                        Stages.uri(s, stageName, "decide"),
                        new ApprovalSteps.Decision(t, approver, approve, comment));
                steps.save(s);
                return new RunEngine.Decision(outcome, s.outgoing);
            });
        }
    }

    /** See {@link RunEngine#cancel}. */
    List<Outgoing> cancel(String runId, String reason) {
        try (LogContext run = LogContext.run(runId)) {
            return steps.events(c -> {
                Step s = steps.lockedRun(c, runId);
                if (s.status != RunStatus.RUNNING) {
                    throw new RefusedException(
                            409,
                            "run " + runId + " is " + s.status + "; only a RUNNING run can be " + "cancelled"
                                    + (s.status == RunStatus.COMPENSATING ? " (its compensation must finish)" : ""));
                }
                stages.cancelRun(s, reason == null ? "cancelled by request" : reason);
                steps.save(s);
                return s.outgoing;
            });
        }
    }

    /** See {@link RunEngine#rerun}. */
    RunEngine.Rerun rerun(String runId, String from) {
        try (LogContext run = LogContext.run(runId)) {
            return tx.run(c -> {
                Step s = steps.lockedRun(c, runId);
                List<String> stages = reruns.rerun(s, from);
                steps.save(s);
                return new RunEngine.Rerun(stages, s.outgoing);
            });
        }
    }
}
