package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.LoopStage;
import dev.baton.pipeline.Stage;
import dev.baton.ticket.Rows.StageRow;
import dev.baton.ticket.Rows.TicketRow;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.TicketStatus;
import java.sql.SQLException;

/**
 * Runs a {@code loop} stage: its inner stages run as a scope of their own; when all of them have ended, {@code until}
 * decides between another iteration (fresh rows, new tickets numbered with the iteration) and the end of the loop.
 */
final class LoopRunner implements StageRunner<LoopStage> {
    private final Flow flow;
    private final RunStore store;
    private final Tickets tickets;
    private final Conditions conditions;

    LoopRunner(Flow flow, RunStore store, Tickets tickets, Conditions conditions) {
        this.flow = flow;
        this.store = store;
        this.tickets = tickets;
        this.conditions = conditions;
    }

    @Override
    public void start(Step s, Scope scope, LoopStage loop) throws SQLException {
        iterate(s, scope, loop, 1);
    }

    private void iterate(Step s, Scope scope, LoopStage loop, int iteration) throws SQLException {
        StageRow row = flow.row(s, scope, loop);
        flow.putStage(s, new StageRow(row.runId(), row.name(), TicketStatus.RUNNING, iteration, null, null,
                row.startedAt() == null ? s.now : row.startedAt(), null, iteration, 0, 0, 0, null));
        Scope inner = scope.inner(loop);
        for (Stage st : loop.stages()) {
            flow.putStage(s, flow.row(s, inner, st).reset(iteration));
        }
        tickets.note(s, scope.qualified(loop), "ITERATION", "iteration " + iteration + " of at most "
                + loop.maxIterations());
        flow.release(s, inner);
        innerChanged(s, inner);
    }

    /** Something inside the loop ended: when the whole iteration has, decide whether to go round again. */
    void innerChanged(Step s, Scope inner) throws SQLException {
        LoopStage loop = inner.loop();
        boolean done = loop.stages().stream().allMatch(st -> flow.row(s, inner, st).status().terminal());
        if (!done || flow.row(s, inner.parent(), loop).status().terminal()) {
            return;
        }
        int iteration = flow.row(s, inner.parent(), loop).iteration();
        Conditions.Result until = conditions.test(s, inner, loop.until());
        if (until.error() != null) {
            flow.stageFailed(s, inner.parent(), loop, "until '" + loop.until() + "' failed in iteration " + iteration
                    + ": " + until.error());
        } else if (until.value()) {
            flow.stageSucceeded(s, inner.parent(), loop, output(s, inner, iteration),
                    "until holds after iteration " + iteration);
        } else if (iteration < loop.maxIterations()) {
            iterate(s, inner.parent(), loop, iteration + 1);
        } else if (loop.continueAtMax()) {
            flow.stageSucceeded(s, inner.parent(), loop, output(s, inner, iteration),
                    "stopped at maxIterations " + loop.maxIterations() + " (onMaxIterations: continue)");
        } else {
            flow.stageFailed(s, inner.parent(), loop, "reached maxIterations " + loop.maxIterations()
                    + " and until '" + loop.until() + "' is still false");
        }
    }

    /** An inner stage failed: the loop fails with it (and with it the run, unless the loop is itself inner). */
    void innerFailed(Step s, Scope inner, Stage stage, String error) throws SQLException {
        int iteration = flow.row(s, inner.parent(), inner.loop()).iteration();
        flow.stageFailed(s, inner.parent(), inner.loop(),
                "iteration " + iteration + ": stage '" + stage.name() + "' failed: " + error);
    }

    /** {@code {"iterations": n, "outputs": {<inner stage>: <its output in the last iteration>}}}. */
    private JsonNode output(Step s, Scope inner, int iteration) {
        ObjectNode out = Json.object().put("iterations", iteration);
        ObjectNode outputs = out.putObject("outputs");
        for (Stage st : inner.loop().stages()) {
            outputs.set(st.name(), flow.row(s, inner, st).output());
        }
        return out;
    }

    @Override
    public void succeeded(Step s, Scope scope, LoopStage stage, TicketRow t, JsonNode output) {
        throw new IllegalStateException("a loop has no tickets of its own");
    }

    @Override
    public void failed(Step s, Scope scope, LoopStage stage, TicketRow t, String error) {
        throw new IllegalStateException("a loop has no tickets of its own");
    }
}
