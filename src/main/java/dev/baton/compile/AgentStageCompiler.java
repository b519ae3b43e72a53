package dev.baton.compile;

import static dev.baton.compile.StageProcessors.Action.AGENT_ENDED;
import static dev.baton.compile.StageProcessors.Action.DISPATCH;
import static dev.baton.compile.StageProcessors.Action.QUEUE;
import static dev.baton.compile.StageProcessors.Action.TICKET_ENDED;

import dev.baton.pipeline.AgentStage;
import org.apache.camel.builder.RouteBuilder;

/** An {@code agent} stage: one ticket for one agent; the ticket's outcome is the stage's. */
final class AgentStageCompiler implements StageCompiler<AgentStage> {
    @Override
    public void compile(RouteBuilder routes, Compiling at, AgentStage stage) {
        String run = at.id(stage, "run");
        routes.from(Endpoints.direct(run))
                .routeId(run)
                .description(at.description(stage, "one ticket for " + stage.agent()))
                .process(at.action(stage, QUEUE))
                .id(run + ".queue")
                .process(at.action(stage, DISPATCH))
                .id(run + ".dispatch");
        String ended = at.id(stage, "ended");
        routes.from(Endpoints.direct(ended))
                .routeId(ended)
                .description(at.description(stage, "its ticket ended"))
                .process(at.action(stage, TICKET_ENDED))
                .id(ended + ".ticket")
                .process(at.action(stage, AGENT_ENDED))
                .id(ended + ".outcome");
    }
}
