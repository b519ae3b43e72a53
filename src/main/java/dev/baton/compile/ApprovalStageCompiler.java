package dev.baton.compile;

import static dev.baton.compile.StageProcessors.Action.APPROVAL_TIMEOUT;
import static dev.baton.compile.StageProcessors.Action.ASK;
import static dev.baton.compile.StageProcessors.Action.DECIDE_APPROVAL;
import static dev.baton.compile.StageProcessors.Action.QUEUE;

import dev.baton.pipeline.ApprovalStage;
import org.apache.camel.builder.RouteBuilder;

/**
 * An {@code approval} stage: a ticket that waits for people; each decision and the timeout are routes of their
 * own, applied under the run's lock, so whichever comes first decides.
 */
final class ApprovalStageCompiler implements StageCompiler<ApprovalStage> {
    @Override
    public void compile(RouteBuilder routes, Compiling at, ApprovalStage stage) {
        String run = at.id(stage, "run");
        routes.from(Endpoints.direct(run))
                .routeId(run)
                .description(at.description(stage, "asks for " + stage.needed() + " approval(s)"))
                .process(at.action(stage, QUEUE))
                .id(run + ".queue")
                .process(at.action(stage, ASK))
                .id(run + ".ask");
        String decide = at.id(stage, "decide");
        routes.from(Endpoints.direct(decide))
                .routeId(decide)
                .description(at.description(stage, "a person's decision"))
                .process(at.action(stage, DECIDE_APPROVAL))
                .id(decide + ".count");
        String timeout = at.id(stage, "timeout");
        routes.from(Endpoints.direct(timeout))
                .routeId(timeout)
                .description(at.description(stage, "its timeout"))
                .process(at.action(stage, APPROVAL_TIMEOUT))
                .id(timeout + ".decide");
    }
}
