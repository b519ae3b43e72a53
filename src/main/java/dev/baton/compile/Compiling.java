package dev.baton.compile;

import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.Stage;
import org.apache.camel.Predicate;
import org.apache.camel.Processor;

/**
 * Where a stage is being compiled: its pipeline revision, the scope it lives in, and the runtime's processors; names
 * the stage's routes and endpoints.
 */
record Compiling(Pipeline pipeline, Scope scope, StageProcessors processors) {
    Compiling inner(dev.baton.pipeline.LoopStage loop) {
        return new Compiling(pipeline, scope.inner(loop), processors);
    }

    String id(Stage stage, String part) {
        return Endpoints.stageRoute(pipeline.name(), pipeline.revision(), scope.qualified(stage), part);
    }

    String uri(Stage stage, String part) {
        return Endpoints.direct(id(stage, part));
    }

    String runId(String part) {
        return Endpoints.runRoute(pipeline.name(), pipeline.revision(), part);
    }

    /** Where a stage of this scope that failed is reported: its loop, or the run. */
    String failureUri() {
        return scope.loop() == null
                ? Endpoints.direct(runId("failed"))
                : Endpoints.direct(new Compiling(pipeline, scope.parent(), processors).id(scope.loop(), "failed"));
    }

    /** Where every ended stage of this scope is reported, to see whether the scope has ended. */
    String scopeEndUri() {
        return scope.loop() == null
                ? Endpoints.direct(runId("end"))
                : Endpoints.direct(new Compiling(pipeline, scope.parent(), processors).id(scope.loop(), "iteration"));
    }

    Processor action(Stage stage, StageProcessors.Action action) {
        return processors.action(scope, stage, action);
    }

    Predicate check(Stage stage, StageProcessors.Check check) {
        return processors.check(scope, stage, check);
    }

    /** What a route of the stage does, as its Camel description (its id names the stage and the revision). */
    String description(Stage stage, String what) {
        return what;
    }
}
