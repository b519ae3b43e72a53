package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.compile.Scope;
import dev.baton.compile.StageProcessors;
import dev.baton.pipeline.AgentStage;
import dev.baton.pipeline.ApprovalStage;
import dev.baton.pipeline.ForEachStage;
import dev.baton.pipeline.LoopStage;
import dev.baton.pipeline.MultiAgentStage;
import dev.baton.pipeline.Stage;
import dev.baton.ticket.Rows.StageRow;
import dev.baton.ticket.RunStatus;
import dev.baton.ticket.StoreException;
import dev.baton.ticket.TicketRow;
import dev.baton.ticket.TicketStatus;
import java.sql.SQLException;
import java.util.concurrent.ExecutorService;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.spi.AggregationRepository;
import org.apache.camel.util.concurrent.SynchronousExecutorService;

/**
 * The runtime's side of the compiled routes: each step a route names is one of these processors, working on the
 * run whose event this thread is applying ({@link Step#current()}), in that event's database transaction.
 */
public final class CompiledStages implements StageProcessors {
    private static final ExecutorService INLINE = new SynchronousExecutorService();
    private final Stages stages;
    private final Tickets tickets;
    private final MultiAgentSteps multi;
    private final ForEachSteps forEach;
    private final LoopSteps loops;
    private final ApprovalSteps approvals;
    private final StageChecks checks;

    CompiledStages(Stages stages, int maxForEachItems) {
        this.stages = stages;
        this.tickets = stages.tickets();
        var store = tickets.store();
        this.multi = new MultiAgentSteps(stages, store, tickets);
        this.forEach = new ForEachSteps(stages, store, tickets, maxForEachItems);
        this.loops = new LoopSteps(stages, tickets);
        this.approvals = new ApprovalSteps(stages, store, tickets);
        this.checks = new StageChecks(stages, multi, loops);
    }

    /** One step of a route, on the current event's step. */
    @FunctionalInterface
    private interface Work {
        void apply(Step s, Exchange ex) throws SQLException;
    }

    /**
     * A processor that also records its failure on the step: a completed aggregate runs outside the caller's
     * exchange, and Camel only logs what fails there, so the event's template rethrows it and the transaction rolls
     * back.
     */
    private static Processor guarded(Work work) {
        return ex -> {
            Step s = Step.current();
            try {
                work.apply(s, ex);
            } catch (SQLException e) {
                throw s.failed(new StoreException(e));
            } catch (RuntimeException e) {
                throw s.failed(e);
            }
        };
    }

    @Override
    public Processor action(Scope scope, Stage stage, Action action) {
        return guarded(work(scope, stage, action));
    }

    private Work work(Scope scope, Stage stage, Action action) {
        return switch (action) {
            case QUEUE -> (s, ex) -> stages.queued(s, scope, stage);
            case SKIP ->
                (s, ex) -> stages.skipped(
                        s, scope, stage, "condition is false: " + stage.base().condition());
            case CONDITION_FAILED ->
                (s, ex) -> {
                    stages.putStage(s, stages.row(s, scope, stage).running(TicketStatus.RUNNING, 0, s.now));
                    stages.failed(
                            s,
                            scope,
                            stage,
                            "condition '" + stage.base().condition() + "' failed: "
                                    + ex.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class)
                                            .getMessage());
                };
            case DISPATCH ->
                (s, ex) -> {
                    AgentStage a = (AgentStage) stage;
                    TicketRow t = Tickets.row(
                            s,
                            scope.qualified(stage),
                            stages.row(s, scope, stage).iteration(),
                            0,
                            stage.name(),
                            a.agent(),
                            stages.input(s, scope, stage),
                            TicketStatus.PENDING);
                    tickets.start(s, t, TicketPolicy.of(stage.base()), null);
                };
            case TICKET_ENDED ->
                (s, ex) -> {
                    TicketEnd e = ex.getMessage().getBody(TicketEnd.class);
                    TicketRow updated = stage instanceof MultiAgentStage m
                            ? multi.ended(s, m, e)
                            : stage instanceof ForEachStage
                                    ? forEach.ended(s, e)
                                    : e.failed()
                                            ? tickets.fail(s, e.ticket(), e.error())
                                            : tickets.succeed(s, e.ticket(), e.output(), null);
                    ex.getMessage().setBody(e.with(updated));
                };
            case AGENT_ENDED ->
                (s, ex) -> {
                    TicketEnd e = ex.getMessage().getBody(TicketEnd.class);
                    if (e.failed()) {
                        stages.failed(
                                s,
                                scope,
                                stage,
                                Tickets.attemptOf(
                                                e.ticket(), stage.base().retry().maxAttempts()) + " failed: "
                                        + e.error());
                    } else {
                        stages.succeeded(s, scope, stage, e.output(), null);
                    }
                };
            case AGENTS_SENT -> (s, ex) -> multi.sent(s, scope, (MultiAgentStage) stage);
            case DECIDE -> (s, ex) -> multi.decide(s, scope, (MultiAgentStage) stage, RowState.tickets(ex));
            case READ_ITEMS -> (s, ex) -> ex.getMessage().setBody(forEach.items(s, scope, (ForEachStage) stage));
            case ITEM_TICKET ->
                (s, ex) -> forEach.item(
                        s,
                        scope,
                        (ForEachStage) stage,
                        ex.getMessage().getBody(JsonNode.class),
                        ex.getProperty(Exchange.SPLIT_INDEX, Integer.class));
            case DISPATCH_ITEMS -> (s, ex) -> forEach.dispatch(s, scope, (ForEachStage) stage);
            case NEXT_ITEM -> (s, ex) -> forEach.next(s, scope, (ForEachStage) stage);
            case ITEM_FAILED ->
                (s, ex) -> forEach.itemFailed(
                        s, scope, (ForEachStage) stage, ex.getMessage().getBody(TicketEnd.class));
            case GATHER ->
                (s, ex) -> forEach.gather(
                        s, scope, (ForEachStage) stage, ex.getMessage().getBody(StageRow.class));
            case ITERATE -> (s, ex) -> loops.iterate(s, scope, (LoopStage) stage);
            case UNTIL_HOLDS -> (s, ex) -> loops.untilHolds(s, scope, (LoopStage) stage);
            case STOPPED_AT_MAX -> (s, ex) -> loops.stoppedAtMax(s, scope, (LoopStage) stage);
            case FAILED_AT_MAX -> (s, ex) -> loops.failedAtMax(s, scope, (LoopStage) stage);
            case UNTIL_FAILED ->
                (s, ex) -> loops.untilFailed(
                        s,
                        scope,
                        (LoopStage) stage,
                        ex.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class)
                                .getMessage());
            case INNER_FAILED ->
                (s, ex) -> loops.innerFailed(
                        s, scope, (LoopStage) stage, ex.getMessage().getBody(StageEnd.class));
            case ASK -> (s, ex) -> approvals.ask(s, scope, (ApprovalStage) stage);
            case DECIDE_APPROVAL ->
                (s, ex) -> {
                    ApprovalSteps.Decision d = ex.getMessage().getBody(ApprovalSteps.Decision.class);
                    ex.getMessage()
                            .setBody(approvals.decide(
                                    s,
                                    scope,
                                    (ApprovalStage) stage,
                                    d.ticket(),
                                    d.approver(),
                                    d.approve(),
                                    d.comment()));
                };
            case APPROVAL_TIMEOUT ->
                (s, ex) -> {
                    ApprovalSteps.Timeout t = ex.getMessage().getBody(ApprovalSteps.Timeout.class);
                    approvals.timedOut(s, scope, (ApprovalStage) stage, t.ticket(), t.attempt());
                };
            case COMPENSATE -> (s, ex) -> stages.compensations().dispatch(s, stage);
            case RUN_SUCCEEDED -> (s, ex) -> stages.finish(s, RunStatus.SUCCEEDED, null);
            case RUN_FAILED ->
                (s, ex) -> {
                    StageEnd e = ex.getMessage().getBody(StageEnd.class);
                    stages.failRun(s, "stage '" + e.name() + "' failed: " + e.error());
                };
        };
    }

    @Override
    public Processor dispatchTo(Scope scope, MultiAgentStage stage, int agent) {
        return guarded((s, ex) -> multi.dispatch(s, scope, stage, agent));
    }

    @Override
    public Predicate check(Scope scope, Stage stage, Check check) {
        return checks.check(scope, stage, check);
    }

    @Override
    public AggregationRepository state(Scope scope, Stage stage, State state) {
        return new RowState(state, scope, stage, stages, multi, forEach);
    }

    @Override
    public AggregationStrategy strategy(State state) {
        return RowState.strategy(state);
    }

    @Override
    public Expression correlation(Scope scope, Stage stage) {
        return checks.correlation(scope, stage);
    }

    @Override
    public ExecutorService inline() {
        return INLINE;
    }

    /**
     * The executor every compiled aggregator completes on: Camel's own synchronous one, which runs the completed
     * aggregate on the caller's thread, so completion is part of the event's transaction.
     */
    public static ExecutorService inlineExecutor() {
        return INLINE;
    }
}
