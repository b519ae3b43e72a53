package dev.baton.runtime;

import dev.baton.compile.Scope;
import dev.baton.compile.StageProcessors.Check;
import dev.baton.pipeline.ForEachStage;
import dev.baton.pipeline.LoopStage;
import dev.baton.pipeline.MultiAgentStage;
import dev.baton.pipeline.Stage;
import dev.baton.ticket.Rows.StageRow;
import dev.baton.ticket.RunStatus;
import dev.baton.ticket.TicketStatus;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.Predicate;
import org.apache.camel.support.ExpressionAdapter;

/**
 * The predicates the compiled routes choose on and complete their aggregators with, read from the current step's
 * rows. Each asks about the state, never counts messages, so a notification that comes twice (two dependencies
 * ending in one event) completes a join once: the first completion changes the rows the second reads.
 */
final class StageChecks {
    private final Stages stages;
    private final MultiAgentSteps multi;
    private final LoopSteps loops;

    StageChecks(Stages stages, MultiAgentSteps multi, LoopSteps loops) {
        this.stages = stages;
        this.multi = multi;
        this.loops = loops;
    }

    Predicate check(Scope scope, Stage stage, Check check) {
        return switch (check) {
            case READY -> ex -> ready(Step.current(), scope, stage);
            case FAILED -> ex -> ex.getMessage().getBody(StageEnd.class).failed();
            case DECIDED -> ex -> multi.decided(Step.current(), scope, (MultiAgentStage) stage, RowState.tickets(ex));
            case HAS_ITEMS -> ex -> ex.getMessage().getBody() != null;
            case ITEM_STOPS_STAGE ->
                ex -> ForEachSteps.stops((ForEachStage) stage, ex.getMessage().getBody(TicketEnd.class));
            case ALL_ITEMS_ENDED ->
                ex -> {
                    StageRow counters = ex.getMessage().getBody(StageRow.class);
                    return !counters.status().terminal() && counters.itemsDone() >= counters.itemsTotal();
                };
            case SCOPE_ENDED ->
                ex -> stage == null ? runEnded(Step.current(), scope) : loops.iterationEnded(Step.current(), scope);
            case BELOW_MAX_ITERATIONS -> ex -> loops.belowMax(Step.current(), scope, (LoopStage) stage);
            case CONTINUES_AT_MAX -> ex -> ((LoopStage) stage).continueAtMax();
        };
    }

    /** The join completes: the stage waits, its scope runs, and every dependency succeeded or was skipped. */
    private boolean ready(Step s, Scope scope, Stage stage) {
        if (s.status != RunStatus.RUNNING || stages.row(s, scope, stage).status() != TicketStatus.WAITING_DEPS) {
            return false;
        }
        if (scope.loop() != null
                && stages.row(s, scope.parent(), scope.loop()).status().terminal()) {
            return false;
        }
        return stage.dependsOn().stream()
                .map(d -> s.stages.get(scope.qualified(d)))
                .allMatch(d -> d.status() == TicketStatus.SUCCEEDED || d.status() == TicketStatus.SKIPPED);
    }

    /**
     * Every stage of the run succeeded or was skipped. A stage that failed in this event is not an end: its
     * failure, queued behind this check, fails the run.
     */
    private static boolean runEnded(Step s, Scope top) {
        return s.status == RunStatus.RUNNING && top.stages().stream().allMatch(st -> passed(s, top, st));
    }

    static boolean passed(Step s, Scope scope, Stage stage) {
        TicketStatus status = s.stages.get(scope.qualified(stage)).status();
        return status == TicketStatus.SUCCEEDED || status == TicketStatus.SKIPPED;
    }

    /** The run, the stage (or the loop whose iteration it is) and the iteration: one aggregate per stage ask. */
    Expression correlation(Scope scope, Stage stage) {
        return new ExpressionAdapter() {
            @Override
            public Object evaluate(Exchange ex) {
                Step s = Step.current();
                if (stage == null) {
                    return s.run.id();
                }
                String where = scope.loop() == stage ? scope.parent().qualified(stage) : scope.qualified(stage);
                return s.run.id() + "/" + where + "#" + s.stages.get(where).iteration();
            }
        };
    }
}
