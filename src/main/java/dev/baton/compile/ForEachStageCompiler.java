package dev.baton.compile;

import static dev.baton.compile.StageProcessors.Action.DISPATCH_ITEMS;
import static dev.baton.compile.StageProcessors.Action.GATHER;
import static dev.baton.compile.StageProcessors.Action.ITEM_FAILED;
import static dev.baton.compile.StageProcessors.Action.ITEM_TICKET;
import static dev.baton.compile.StageProcessors.Action.NEXT_ITEM;
import static dev.baton.compile.StageProcessors.Action.QUEUE;
import static dev.baton.compile.StageProcessors.Action.READ_ITEMS;
import static dev.baton.compile.StageProcessors.Action.TICKET_ENDED;
import static dev.baton.compile.StageProcessors.Check.ALL_ITEMS_ENDED;
import static dev.baton.compile.StageProcessors.Check.HAS_ITEMS;
import static dev.baton.compile.StageProcessors.Check.ITEM_STOPS_STAGE;
import static dev.baton.compile.StageProcessors.State.ITEMS;

import dev.baton.pipeline.ForEachStage;
import org.apache.camel.builder.RouteBuilder;

/**
 * A {@code dynamic: for_each} stage: a streaming Splitter turns each item into a PENDING ticket, at most
 * {@code maxParallel} of them dispatched; each item that ends dispatches the next, and an Aggregator over the
 * counters on the stage's row completes when every item has ended.
 */
final class ForEachStageCompiler implements StageCompiler<ForEachStage> {
    @Override
    public void compile(RouteBuilder routes, Compiling at, ForEachStage stage) {
        StageProcessors p = at.processors();
        String run = at.id(stage, "run");
        routes.from(Endpoints.direct(run))
                .routeId(run)
                .description(at.description(
                        stage, "one ticket per item of " + stage.items() + ", " + stage.maxParallel() + " at a time"))
                .process(at.action(stage, QUEUE))
                .id(run + ".queue")
                .process(at.action(stage, READ_ITEMS))
                .id(run + ".items")
                .filter(at.check(stage, HAS_ITEMS))
                .id(run + ".has-items")
                .split(routes.body())
                .streaming()
                .stopOnException()
                .id(run + ".split")
                .process(at.action(stage, ITEM_TICKET))
                .id(run + ".item")
                .end()
                .process(at.action(stage, DISPATCH_ITEMS))
                .id(run + ".dispatch")
                .end();
        String ended = at.id(stage, "ended");
        routes.from(Endpoints.direct(ended))
                .routeId(ended)
                .description(at.description(stage, "an item's ticket ended"))
                .process(at.action(stage, TICKET_ENDED))
                .id(ended + ".ticket")
                .choice()
                .id(ended + ".failed-item")
                .when(at.check(stage, ITEM_STOPS_STAGE))
                .process(at.action(stage, ITEM_FAILED))
                .id(ended + ".stage-failed")
                .otherwise()
                .process(at.action(stage, NEXT_ITEM))
                .id(ended + ".next")
                .aggregate(p.correlation(at.scope(), stage), p.strategy(ITEMS))
                .id(ended + ".aggregate")
                .aggregationRepository(p.state(at.scope(), stage, ITEMS))
                .completionPredicate(at.check(stage, ALL_ITEMS_ENDED))
                .executorService(p.inline())
                .process(at.action(stage, GATHER))
                .id(ended + ".gather")
                .end()
                .end();
    }
}
