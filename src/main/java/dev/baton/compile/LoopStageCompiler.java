package dev.baton.compile;

import static dev.baton.compile.StageProcessors.Action.FAILED_AT_MAX;
import static dev.baton.compile.StageProcessors.Action.INNER_FAILED;
import static dev.baton.compile.StageProcessors.Action.ITERATE;
import static dev.baton.compile.StageProcessors.Action.QUEUE;
import static dev.baton.compile.StageProcessors.Action.STOPPED_AT_MAX;
import static dev.baton.compile.StageProcessors.Action.UNTIL_FAILED;
import static dev.baton.compile.StageProcessors.Action.UNTIL_HOLDS;
import static dev.baton.compile.StageProcessors.Check.BELOW_MAX_ITERATIONS;
import static dev.baton.compile.StageProcessors.Check.CONTINUES_AT_MAX;
import static dev.baton.compile.StageProcessors.Check.SCOPE_ENDED;
import static dev.baton.compile.StageProcessors.State.SCOPE;

import dev.baton.pipeline.LoopStage;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.language.LanguageExpression;

/**
 * A {@code loop} stage: its inner stages are compiled as a scope of their own; an Aggregator over their rows completes
 * when an iteration has ended, and a Choice on {@code until} (CEL) goes round again or ends the loop.
 */
final class LoopStageCompiler implements StageCompiler<LoopStage> {
    @Override
    public void compile(RouteBuilder routes, Compiling at, LoopStage loop) {
        StageProcessors p = at.processors();
        Scope inner = at.scope().inner(loop);
        String run = at.id(loop, "run");
        routes.from(Endpoints.direct(run))
                .routeId(run)
                .description(at.description(loop, "iteration 1 of at most " + loop.maxIterations()))
                .process(at.action(loop, QUEUE))
                .id(run + ".queue")
                .process(at.action(loop, ITERATE))
                .id(run + ".iterate");
        String iteration = at.id(loop, "iteration");
        routes.from(Endpoints.direct(iteration))
                .routeId(iteration)
                .description(at.description(loop, "an inner stage ended; until decides once all have"))
                .aggregate(p.correlation(inner, loop), p.strategy(SCOPE))
                .id(iteration + ".aggregate")
                .aggregationRepository(p.state(inner, loop, SCOPE))
                .completionPredicate(p.check(inner, loop, SCOPE_ENDED))
                .executorService(p.inline())
                // the aggregate is a new exchange: until is evaluated in the loop's inner scope
                .setProperty(Endpoints.PROPERTY_SCOPE, routes.constant(inner.prefix()))
                .doTry()
                .choice()
                .id(iteration + ".until")
                .when(new LanguageExpression(Endpoints.CEL, loop.until()))
                .process(at.action(loop, UNTIL_HOLDS))
                .id(iteration + ".done")
                .when(at.check(loop, BELOW_MAX_ITERATIONS))
                .process(at.action(loop, ITERATE))
                .id(iteration + ".again")
                .when(at.check(loop, CONTINUES_AT_MAX))
                .process(at.action(loop, STOPPED_AT_MAX))
                .id(iteration + ".stopped")
                .otherwise()
                .process(at.action(loop, FAILED_AT_MAX))
                .id(iteration + ".at-max")
                .endDoTry()
                .doCatch(ExpressionFailedException.class)
                .process(at.action(loop, UNTIL_FAILED))
                .id(iteration + ".until-failed")
                .end()
                .end();
        String failed = at.id(loop, "failed");
        routes.from(Endpoints.direct(failed))
                .routeId(failed)
                .description(at.description(loop, "an inner stage failed: the loop fails"))
                .process(at.action(loop, INNER_FAILED))
                .id(failed + ".fail");
    }
}
