package dev.baton.compile;

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
public record Scope(List<Stage> stages, String prefix, LoopStage loop, Scope parent) {
    public static final String SEPARATOR = "/";

    public static Scope top(Pipeline p) {
        return new Scope(p.stages(), "", null, null);
    }

    public Scope inner(LoopStage l) {
        return new Scope(l.stages(), prefix + l.name() + SEPARATOR, l, this);
    }

    public String qualified(String name) {
        return prefix + name;
    }

    public String qualified(Stage stage) {
        return prefix + stage.name();
    }

    /** A stage and the scope it lives in, found by its qualified name. */
    public record Found(Scope scope, Stage stage) {}

    public static Found find(Pipeline p, String qualified) {
        Scope scope = top(p);
        String[] parts = qualified.split(SEPARATOR);
        for (int i = 0; ; i++) {
            String name = parts[i];
            Stage stage = scope.stages.stream()
                    .filter(s -> s.name().equals(name))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no stage " + qualified + " in " + p.name()));
            if (i == parts.length - 1) {
                return new Found(scope, stage);
            }
            scope = scope.inner((LoopStage) stage);
        }
    }

    /** The scope a prefix names: {@code ""} for the pipeline's, {@code "loop/"} for a loop's inner stages. */
    public static Scope of(Pipeline p, String prefix) {
        Scope scope = top(p);
        for (String name : prefix.isEmpty() ? new String[0] : prefix.split(SEPARATOR)) {
            Scope outer = scope;
            LoopStage loop = (LoopStage) outer.stage(name);
            scope = outer.inner(loop);
        }
        return scope;
    }

    /** The stage of this scope with that (unqualified) name. */
    public Stage stage(String name) {
        return stages.stream()
                .filter(s -> s.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no stage " + prefix + name));
    }

    /** The stages of this scope that depend on {@code stage}, in file order. */
    public List<Stage> dependents(Stage stage) {
        return stages.stream().filter(s -> s.dependsOn().contains(stage.name())).toList();
    }
}
