package dev.baton.compile;

import dev.baton.pipeline.Stage;
import org.apache.camel.builder.RouteBuilder;

/**
 * Compiles one stage kind into Camel routes: its {@code run} route (what starting the stage does) and any route of
 * its own (what each of its tickets ending does). The routes every kind shares (join, condition, done,
 * compensate) are {@link StageRoutes}'.
 */
interface StageCompiler<S extends Stage> {
    void compile(RouteBuilder routes, Compiling at, S stage);
}
