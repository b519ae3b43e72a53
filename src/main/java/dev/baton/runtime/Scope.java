package dev.baton.runtime;

import dev.baton.pipeline.LoopStage;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.Stage;
import java.util.List;

/**
 * Stages that run side by side: the pipeline's own, or one loop's inner stages, whose rows and tickets are named
 * {@code <loop>/<inner>}.
 *
 * @param loop the loop whose body this is, or null for the pipeline
 * @param parent the scope the loop stage lives in, or null
 */
record Scope(List<Stage> stages, String prefix, LoopStage loop, Scope parent) {
    static final String SEPARATOR = "/";

    static Scope top(Pipeline p) {
        return new Scope(p.stages(), "", null, null);
    }

    Scope inner(LoopStage l) {
        return new Scope(l.stages(), prefix + l.name() + SEPARATOR, l, this);
    }

    String qualified(String name) {
        return prefix + name;
    }

    String qualified(Stage stage) {
        return prefix + stage.name();
    }

    /** A stage and the scope it lives in, found by its qualified name. */
    record Found(Scope scope, Stage stage) {}

    static Found find(Pipeline p, String qualified) {
        Scope scope = top(p);
        String[] parts = qualified.split(SEPARATOR);
        for (int i = 0; ; i++) {
            String name = parts[i];
            Stage stage = scope.stages.stream().filter(s -> s.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no stage " + qualified + " in " + p.name()));
            if (i == parts.length - 1) {
                return new Found(scope, stage);
            }
            scope = scope.inner((LoopStage) stage);
        }
    }
}
