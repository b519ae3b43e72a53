package dev.baton.pipeline.load;

import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.Violation;
import java.util.List;

/**
 * What reading a pipeline file gave: the pipeline, or every violation found, sorted by line and column.
 *
 * @param pipeline null whenever there is any violation
 * @param warnings what is allowed but most likely a mistake (a param read and not declared); never stops a load
 */
public record LoadResult(Pipeline pipeline, List<Violation> violations, List<Violation> warnings) {
    public LoadResult {
        violations = List.copyOf(violations);
        warnings = List.copyOf(warnings);
        if (pipeline != null && !violations.isEmpty()) {
            throw new IllegalArgumentException("a pipeline with violations must not be loaded");
        }
    }

    /** A result without warnings. */
    public LoadResult(Pipeline pipeline, List<Violation> violations) {
        this(pipeline, violations, List.of());
    }

    public boolean ok() {
        return pipeline != null;
    }
}
