package dev.baton.compile;

import dev.baton.pipeline.MultiAgentStage;
import dev.baton.pipeline.Stage;
import java.util.concurrent.ExecutorService;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Expression;
import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.spi.AggregationRepository;

/**
 * What a stage's compiled routes call, supplied by the runtime: the processors that change a run's rows, the
 * predicates the routes choose on, and the aggregation state kept in Baton's tables. The compiler decides which
 * patterns a stage is made of; these decide what each step does inside the event's database transaction.
 */
public interface StageProcessors {
    /** A step of a stage's life (or, with a null stage, of the run's). */
    enum Action {
        QUEUE,
        SKIP,
        CONDITION_FAILED,
        DISPATCH,
        TICKET_ENDED,
        AGENT_ENDED,
        AGENTS_SENT,
        DECIDE,
        READ_ITEMS,
        ITEM_TICKET,
        DISPATCH_ITEMS,
        NEXT_ITEM,
        ITEM_FAILED,
        GATHER,
        ITERATE,
        UNTIL_HOLDS,
        UNTIL_FAILED,
        STOPPED_AT_MAX,
        FAILED_AT_MAX,
        INNER_FAILED,
        ASK,
        DECIDE_APPROVAL,
        APPROVAL_TIMEOUT,
        COMPENSATE,
        RUN_SUCCEEDED,
        RUN_FAILED
    }

    /** A question a route chooses on. */
    enum Check {
        /** The stage waits and every dependency succeeded or was skipped: the join completes. */
        READY,
        /** The stage that just ended failed. */
        FAILED,
        /** A multi-agent stage's strategy has decided. */
        DECIDED,
        /** A for_each stage has items to split. */
        HAS_ITEMS,
        /** The item that ended failed and the stage does not continue on error. */
        ITEM_STOPS_STAGE,
        /** Every item of a for_each stage has ended. */
        ALL_ITEMS_ENDED,
        /** Every stage of the scope (the run's, or a loop iteration's) has ended and the scope still runs. */
        SCOPE_ENDED,
        /** A loop may go round again. */
        BELOW_MAX_ITERATIONS,
        /** A loop at its maximum ends successfully ({@code onMaxIterations: continue}). */
        CONTINUES_AT_MAX
    }

    /** Which rows an aggregator's state is read from and written to. */
    enum State {
        /** The rows of a stage's dependencies (the join of {@code dependsOn}). */
        DEPENDENCIES,
        /** The tickets of one multi-agent stage iteration. */
        TICKETS,
        /** The item counters on a for_each stage's row. */
        ITEMS,
        /** The rows of every stage of a scope. */
        SCOPE
    }

    Processor action(Scope scope, Stage stage, Action action);

    /** Dispatches the ticket of the {@code agent}-th agent of a multi-agent stage. */
    Processor dispatchTo(Scope scope, MultiAgentStage stage, int agent);

    Predicate check(Scope scope, Stage stage, Check check);

    AggregationRepository state(Scope scope, Stage stage, State state);

    AggregationStrategy strategy(State state);

    /** The aggregators' correlation key: the run, the stage (or scope) and its loop iteration. */
    Expression correlation(Scope scope, Stage stage);

    /** Runs a completed aggregate on the caller's thread, inside the event's transaction. */
    ExecutorService inline();
}
