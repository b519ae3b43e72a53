package dev.baton.pipeline.load;

import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.Violation;
import java.util.List;

/**
 * What reading a pipeline file gave: the pipeline, or every violation found, sorted by line and column.
 *
 * @param pipeline null whenever there is any violation
 */
public record LoadResult(Pipeline pipeline, List<Violation> violations) {
    public LoadResult {
        violations = List.copyOf(violations);
        if (pipeline != null && !violations.isEmpty()) {
            throw new IllegalArgumentException("a pipeline with violations must not be loaded");
        }
    }

    public boolean ok() {
        return pipeline != null;
    }
}
