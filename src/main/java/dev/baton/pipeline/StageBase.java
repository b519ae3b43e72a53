package dev.baton.pipeline;

import java.time.Duration;
import java.util.List;

/**
 * What every stage kind has: its name, its dependencies and where its data comes from and goes.
 *
 * @param input JSONPath into the run context read as the ticket input, or null for the whole params object
 * @param output JSONPath (a definite path of names, e.g. {@code $.research}) where the output is written, or null
 * @param timeout lease per attempt, or null for none
 */
public record StageBase(
        String name,
        List<String> dependsOn,
        String input,
        String output,
        Duration timeout,
        RetryPolicy retry,
        int priority,
        Location location) {}
