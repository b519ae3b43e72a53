package dev.baton.compile;

import static dev.baton.compile.StageProcessors.Action.COMPENSATE;
import static dev.baton.compile.StageProcessors.Action.CONDITION_FAILED;
import static dev.baton.compile.StageProcessors.Action.SKIP;
import static dev.baton.compile.StageProcessors.Check.FAILED;
import static dev.baton.compile.StageProcessors.Check.READY;
import static dev.baton.compile.StageProcessors.State.DEPENDENCIES;

import dev.baton.pipeline.AgentStage;
import dev.baton.pipeline.ApprovalStage;
import dev.baton.pipeline.ForEachStage;
import dev.baton.pipeline.LoopStage;
import dev.baton.pipeline.MultiAgentStage;
import dev.baton.pipeline.Stage;
import dev.baton.pipeline.StageVisitor;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.language.LanguageExpression;

/**
 * The routes every stage has, whatever its kind: the {@code join} (an Aggregator over its dependencies' rows that
 * completes once all of them succeeded or were skipped), the {@code condition} (a Choice on CEL), the {@code done}
 * route (a Recipient List that tells its dependents' joins and its scope it ended, or reports its failure) and the
 * {@code compensate} route; then the routes of its kind, from the compiler the one visitor picks.
 */
final class StageRoutes {
    private static final AgentStageCompiler AGENT = new AgentStageCompiler();
    private static final MultiAgentStageCompiler MULTI_AGENT = new MultiAgentStageCompiler();
    private static final ForEachStageCompiler FOR_EACH = new ForEachStageCompiler();
    private static final LoopStageCompiler LOOP = new LoopStageCompiler();
    private static final ApprovalStageCompiler APPROVAL = new ApprovalStageCompiler();

    private StageRoutes() {}

    /** Compiles every stage of the scope, inner stages of loops included. */
    static void compile(RouteBuilder routes, Compiling at) {
        for (Stage stage : at.scope().stages()) {
            shared(routes, at, stage);
            stage.accept(new StageVisitor<Void>() {
                public Void agent(AgentStage s) {
                    AGENT.compile(routes, at, s);
                    return null;
                }

                public Void multiAgent(MultiAgentStage s) {
                    MULTI_AGENT.compile(routes, at, s);
                    return null;
                }

                public Void forEach(ForEachStage s) {
                    FOR_EACH.compile(routes, at, s);
                    return null;
                }

                public Void approval(ApprovalStage s) {
                    APPROVAL.compile(routes, at, s);
                    return null;
                }

                public Void loop(LoopStage s) {
                    LOOP.compile(routes, at, s);
                    compile(routes, at.inner(s));
                    return null;
                }
            });
        }
    }

    private static void shared(RouteBuilder routes, Compiling at, Stage stage) {
        StageProcessors p = at.processors();
        String condition = stage.base().condition();
        String join = at.id(stage, "join");
        routes.from(Endpoints.direct(join))
                .routeId(join)
                .description(at.description(
                        stage,
                        stage.dependsOn().isEmpty()
                                ? "starts with its scope"
                                : "waits for " + String.join(", ", stage.dependsOn())))
                .aggregate(p.correlation(at.scope(), stage), p.strategy(DEPENDENCIES))
                .id(join + ".aggregate")
                .aggregationRepository(p.state(at.scope(), stage, DEPENDENCIES))
                .completionPredicate(at.check(stage, READY))
                .executorService(p.inline())
                .to(at.uri(stage, condition == null ? "run" : "condition"))
                .id(join + ".start")
                .end();
        if (condition != null) {
            String id = at.id(stage, "condition");
            var route = routes.from(Endpoints.direct(id))
                    .routeId(id)
                    .description(at.description(stage, "runs if " + condition));
            if (!at.scope().prefix().isEmpty()) { // the pipeline's own scope is the default
                route.setProperty(
                        Endpoints.PROPERTY_SCOPE, routes.constant(at.scope().prefix()));
            }
            route.doTry()
                    .choice()
                    .id(id + ".choice")
                    .when(new LanguageExpression(Endpoints.CEL, condition))
                    .to(at.uri(stage, "run"))
                    .id(id + ".run")
                    .otherwise()
                    .process(at.action(stage, SKIP))
                    .id(id + ".skip")
                    .endDoTry()
                    .doCatch(ExpressionFailedException.class)
                    .process(at.action(stage, CONDITION_FAILED))
                    .id(id + ".failed")
                    .end();
        }
        List<String> next = new ArrayList<>();
        for (Stage dependent : at.scope().dependents(stage)) {
            next.add(at.uri(dependent, "join"));
        }
        next.add(at.scopeEndUri());
        String done = at.id(stage, "done");
        routes.from(Endpoints.direct(done))
                .routeId(done)
                .description(at.description(stage, "ended"))
                .choice()
                .id(done + ".outcome")
                .when(at.check(stage, FAILED))
                .to(at.failureUri())
                .id(done + ".failed")
                .otherwise()
                .recipientList(routes.constant(String.join(",", next)))
                .stopOnException()
                .id(done + ".next")
                .end();
        if (stage.base().compensate() != null) {
            String id = at.id(stage, "compensate");
            routes.from(Endpoints.direct(id))
                    .routeId(id)
                    .description(at.description(
                            stage, "undone by " + stage.base().compensate().agent()))
                    .process(at.action(stage, COMPENSATE))
                    .id(id + ".dispatch");
        }
    }
}
