package dev.baton.pipeline.validate;

import dev.baton.pipeline.Location;
import dev.baton.pipeline.LoopStage;
import dev.baton.pipeline.Stage;
import dev.baton.pipeline.Violation;
import java.util.List;

/**
 * One list of stages being validated, the pipeline's or a loop's body (then {@code loop} is the loop stage), and
 * where its violations go, each pointing at the offending value when {@code where} knows it.
 */
record Body(List<Stage> stages, SourceMap where, LoopStage loop, List<Violation> out) {
    /** The stage's name as messages give it: {@code loop/inner} inside a loop. */
    String name(int i) {
        String name = stages.get(i).name();
        return loop == null ? name : loop.name() + "/" + name;
    }

    /** A violation at stage {@code i}'s {@code field}, or at the stage when the field's place is unknown. */
    void report(int i, String field, String message) {
        Location at = where.find(i, field, stages.get(i).location());
        out.add(Violation.inStage(at, name(i), message));
    }

    /** A violation at entry {@code entry} of stage {@code i}'s dependsOn. */
    void reportEntry(int i, int entry, String message) {
        Location at = where.findEntry(i, "dependsOn", entry, stages.get(i).location());
        out.add(Violation.inStage(at, name(i), message));
    }

    /** The body of the loop at stage {@code i}. */
    Body loopBody(int i, LoopStage inner) {
        return new Body(inner.stages(), where.body(i), inner, out);
    }
}
