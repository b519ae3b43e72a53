package dev.baton.compile;

import static dev.baton.compile.StageProcessors.Action.AGENTS_SENT;
import static dev.baton.compile.StageProcessors.Action.DECIDE;
import static dev.baton.compile.StageProcessors.Action.QUEUE;
import static dev.baton.compile.StageProcessors.Action.TICKET_ENDED;
import static dev.baton.compile.StageProcessors.Check.DECIDED;
import static dev.baton.compile.StageProcessors.State.TICKETS;

import dev.baton.pipeline.MultiAgentStage;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.builder.RouteBuilder;

/**
 * An {@code agents} stage: a Recipient List sends the same input to every agent's ticket route, and an Aggregator
 * over the stage's ticket rows completes when its strategy decides (early completion cancels the rest).
 */
final class MultiAgentStageCompiler implements StageCompiler<MultiAgentStage> {
    @Override
    public void compile(RouteBuilder routes, Compiling at, MultiAgentStage stage) {
        StageProcessors p = at.processors();
        List<String> tickets = new ArrayList<>();
        for (int i = 0; i < stage.agents().size(); i++) {
            String id = at.id(stage, "agent-" + i);
            tickets.add(Endpoints.direct(id));
            routes.from(Endpoints.direct(id))
                    .routeId(id)
                    .description(at.description(
                            stage, "the ticket of agent " + stage.agents().get(i)))
                    .process(p.dispatchTo(at.scope(), stage, i))
                    .id(id + ".dispatch");
        }
        String run = at.id(stage, "run");
        routes.from(Endpoints.direct(run))
                .routeId(run)
                .description(at.description(
                        stage, stage.strategy().yaml() + " of " + stage.agents().size() + " agents"))
                .process(at.action(stage, QUEUE))
                .id(run + ".queue")
                .recipientList(routes.constant(String.join(",", tickets)))
                .stopOnException()
                .id(run + ".agents")
                .process(at.action(stage, AGENTS_SENT))
                .id(run + ".sent");
        String ended = at.id(stage, "ended");
        routes.from(Endpoints.direct(ended))
                .routeId(ended)
                .description(at.description(
                        stage, "a ticket ended; " + stage.strategy().yaml() + " decides"))
                .process(at.action(stage, TICKET_ENDED))
                .id(ended + ".ticket")
                .aggregate(p.correlation(at.scope(), stage), p.strategy(TICKETS))
                .id(ended + ".aggregate")
                .aggregationRepository(p.state(at.scope(), stage, TICKETS))
                .completionPredicate(at.check(stage, DECIDED))
                .executorService(p.inline())
                .process(at.action(stage, DECIDE))
                .id(ended + ".decide")
                .end();
    }
}
