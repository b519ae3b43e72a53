package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.compile.Scope;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.LoopStage;
import dev.baton.pipeline.Stage;
import dev.baton.ticket.Rows.StageRow;
import dev.baton.ticket.TicketStatus;
import java.sql.SQLException;

/**
 * The steps of a {@code loop} stage's routes: an iteration starts its inner scope afresh (fresh rows, new tickets
 * numbered with the iteration); once the iteration has ended, the route's choice on {@code until} ends the loop or
 * goes round again.
 */
final class LoopSteps {
    private final Stages stages;
    private final Tickets tickets;

    LoopSteps(Stages stages, Tickets tickets) {
        this.stages = stages;
        this.tickets = tickets;
    }

    /** Starts the next iteration (the first when the loop was just queued). */
    void iterate(Step s, Scope scope, LoopStage loop) throws SQLException {
        StageRow row = stages.row(s, scope, loop);
        int iteration = row.status() == TicketStatus.RUNNING ? row.iteration() + 1 : 1;
        stages.putStage(
                s,
                new StageRow(
                        row.runId(),
                        row.name(),
                        TicketStatus.RUNNING,
                        iteration,
                        null,
                        null,
                        row.startedAt() == null ? s.now : row.startedAt(),
                        null,
                        iteration,
                        0,
                        0,
                        0,
                        null));
        Scope inner = scope.inner(loop);
        for (Stage st : loop.stages()) {
            stages.putStage(s, stages.row(s, inner, st).reset(iteration));
        }
        tickets.note(
                s,
                scope.qualified(loop),
                "ITERATION",
                "iteration " + iteration + " of at most " + loop.maxIterations());
        stages.release(s, inner);
    }

    /**
     * Every inner stage of the current iteration succeeded or was skipped, and the loop still runs (an inner stage
     * that failed fails the loop through its {@code failed} route instead).
     */
    boolean iterationEnded(Step s, Scope inner) {
        LoopStage loop = inner.loop();
        return !stages.row(s, inner.parent(), loop).status().terminal()
                && s.status == dev.baton.ticket.RunStatus.RUNNING
                && loop.stages().stream().allMatch(st -> StageChecks.passed(s, inner, st));
    }

    boolean belowMax(Step s, Scope scope, LoopStage loop) {
        return stages.row(s, scope, loop).iteration() < loop.maxIterations();
    }

    void untilHolds(Step s, Scope scope, LoopStage loop) throws SQLException {
        int iteration = stages.row(s, scope, loop).iteration();
        stages.succeeded(
                s, scope, loop, output(s, scope.inner(loop), iteration), "until holds after iteration " + iteration);
    }

    void stoppedAtMax(Step s, Scope scope, LoopStage loop) throws SQLException {
        stages.succeeded(
                s,
                scope,
                loop,
                output(s, scope.inner(loop), stages.row(s, scope, loop).iteration()),
                "stopped at maxIterations " + loop.maxIterations() + " (onMaxIterations: continue)");
    }

    void failedAtMax(Step s, Scope scope, LoopStage loop) throws SQLException {
        stages.failed(
                s,
                scope,
                loop,
                "reached maxIterations " + loop.maxIterations() + " and until '" + loop.until() + "' is still false");
    }

    void untilFailed(Step s, Scope scope, LoopStage loop, String error) throws SQLException {
        stages.failed(
                s,
                scope,
                loop,
                "until '" + loop.until() + "' failed in iteration "
                        + stages.row(s, scope, loop).iteration() + ": " + error);
    }

    /** An inner stage failed: the loop fails with it (and with it the run, unless the loop is itself inner). */
    void innerFailed(Step s, Scope scope, LoopStage loop, StageEnd inner) throws SQLException {
        if (stages.row(s, scope, loop).status().terminal()) {
            return;
        }
        stages.failed(
                s,
                scope,
                loop,
                "iteration " + stages.row(s, scope, loop).iteration() + ": stage '" + inner.name() + "' failed: "
                        + inner.error());
    }

    /** {@code {"iterations": n, "outputs": {<inner stage>: <its output in the last iteration>}}}. */
    private JsonNode output(Step s, Scope inner, int iteration) {
        ObjectNode out = Json.object().put("iterations", iteration);
        ObjectNode outputs = out.putObject("outputs");
        for (Stage st : inner.loop().stages()) {
            outputs.set(st.name(), stages.row(s, inner, st).output());
        }
        return out;
    }
}
