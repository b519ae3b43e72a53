package dev.baton.pipeline;

import java.time.Duration;
import java.util.List;

/**
 * What every stage kind has: its name, its dependencies and where its data comes from and goes.
 *
 * @param input JSONPath into the run context read as the ticket input, or null for the default (the outputs of the
 *     dependencies by name; the params for a stage without dependencies)
 * @param output JSONPath (a definite path of names, e.g. {@code $.research}) where the output is written, or null
 * @param timeout lease per attempt, or null for none
 * @param condition expression over the run context; false skips the stage (null: always runs)
 * @param compensate what undoes the stage when the run fails after it succeeded, or null
 */
public record StageBase(
        String name,
        List<String> dependsOn,
        String input,
        String output,
        Duration timeout,
        RetryPolicy retry,
        int priority,
        String condition,
        Compensation compensate,
        Location location) {

    /** A stage with only a name, dependencies and a location; for tests and inner defaults. */
    public static StageBase of(String name, List<String> dependsOn, Location location) {
        return new StageBase(name, dependsOn, null, null, null, RetryPolicy.NONE, 4, null, null, location);
    }
}
