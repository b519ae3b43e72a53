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
 * @param priority JMS priority 0-9 of the stage's tickets, or null for the agent's registry priority (else 4)
 * @param deadline how long a ticket may wait in its agent's queue before it expires (JMS expiration), or null
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
        Integer priority,
        Duration deadline,
        String condition,
        Compensation compensate,
        Location location) {

    /** A stage with only a name, dependencies and a location; for tests and inner defaults. */
    public static StageBase of(String name, List<String> dependsOn, Location location) {
        return new StageBase(name, dependsOn, null, null, null, RetryPolicy.NONE, null, null, null, null, location);
    }
}
