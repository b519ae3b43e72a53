package dev.baton.compile;

import dev.baton.pipeline.Pipeline;
import org.apache.camel.builder.RouteBuilder;

/**
 * Compiles a pipeline into its Camel routes. A run's stages are driven by the engine's routes (the DAG of the
 * revision a run is pinned to is interpreted there, so editing a file never changes a running run); what belongs
 * to one pipeline is its entry point: {@code direct:baton-start-<name>}, which any Camel route can call with the
 * params JSON as body and an optional {@code Idempotency-Key} header, and which answers with the run as JSON.
 */
public final class PipelineCompiler {
    /** The header a calling route sets to make its start idempotent. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private final RunStarter starter;

    public PipelineCompiler(RunStarter starter) {
        this.starter = starter;
    }

    public RouteBuilder compile(Pipeline p) {
        String name = p.name();
        return new RouteBuilder() {
            @Override
            public void configure() {
                from(Endpoints.pipelineTrigger(name)).routeId(Endpoints.pipelineTriggerRoute(name))
                        .description("Starts a run of pipeline '" + name + "' revision " + p.revision().substring(0, 12))
                        .process(ex -> ex.getMessage().setBody(starter.start(name,
                                ex.getMessage().getBody(String.class),
                                ex.getMessage().getHeader(IDEMPOTENCY_KEY, String.class))));
            }
        };
    }
}
