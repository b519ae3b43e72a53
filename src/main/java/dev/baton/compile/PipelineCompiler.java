package dev.baton.compile;

import static dev.baton.compile.StageProcessors.Action.RUN_FAILED;
import static dev.baton.compile.StageProcessors.Action.RUN_SUCCEEDED;
import static dev.baton.compile.StageProcessors.Check.SCOPE_ENDED;
import static dev.baton.compile.StageProcessors.State.SCOPE;

import dev.baton.pipeline.Pipeline;
import org.apache.camel.builder.RouteBuilder;

/**
 * Compiles a pipeline into its Camel routes: the entry point of the current revision
 * ({@code direct:baton-start-<name>}, which any Camel route can call with the params JSON as body and an optional
 * {@code Idempotency-Key} header, and which answers with the run as JSON), and the routes of a revision's stages
 * ({@link StageRoutes}) and of the run as a whole, which run inside each event's database transaction.
 */
public final class PipelineCompiler {
    /** The header a calling route sets to make its start idempotent. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private final RunStarter starter;
    private final StageProcessors processors;

    public PipelineCompiler(RunStarter starter, StageProcessors processors) {
        this.starter = starter;
        this.processors = processors;
    }

    /** The route that starts runs of the pipeline's current revision. */
    public RouteBuilder trigger(Pipeline p) {
        String name = p.name();
        return new RouteBuilder() {
            @Override
            public void configure() {
                from(Endpoints.pipelineTrigger(name))
                        .routeId(Endpoints.pipelineTriggerRoute(name))
                        .description("Starts a run of pipeline '" + name + "' revision "
                                + p.revision().substring(0, 12))
                        .process(ex -> ex.getMessage()
                                .setBody(starter.start(
                                        name,
                                        ex.getMessage().getBody(String.class),
                                        ex.getMessage().getHeader(IDEMPOTENCY_KEY, String.class))));
            }
        };
    }

    /** The routes that run the stages of one revision; their ids all begin with {@link Endpoints#revisionRoutes}. */
    public RouteBuilder revision(Pipeline p) {
        return new RouteBuilder() {
            @Override
            public void configure() {
                Scope top = Scope.top(p);
                Compiling at = new Compiling(p, top, processors);
                StageRoutes.compile(this, at);
                String end = at.runId("end");
                from(Endpoints.direct(end))
                        .routeId(end)
                        .description("run of " + p.name() + " revision "
                                + p.revision().substring(0, 12)
                                + ": a stage ended; the run succeeds once every stage has")
                        .aggregate(processors.correlation(top, null), processors.strategy(SCOPE))
                        .id(end + ".aggregate")
                        .aggregationRepository(processors.state(top, null, SCOPE))
                        .completionPredicate(processors.check(top, null, SCOPE_ENDED))
                        .executorService(processors.inline())
                        .process(processors.action(top, null, RUN_SUCCEEDED))
                        .id(end + ".succeeded")
                        .end();
                String failed = at.runId("failed");
                from(Endpoints.direct(failed))
                        .routeId(failed)
                        .description("run of " + p.name() + " revision "
                                + p.revision().substring(0, 12)
                                + ": a stage failed, so the run fails (and compensates)")
                        .process(processors.action(top, null, RUN_FAILED))
                        .id(failed + ".fail");
            }
        };
    }
}
