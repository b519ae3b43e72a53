package dev.baton.pipeline;

/**
 * The most a run of a pipeline may spend ({@code spec.budget}); a run that goes past either limit is failed.
 *
 * @param tokens the most tokens (as agents report them: their total) a run may use, or null for no token limit
 * @param costUsd the most a run's tokens may cost in US dollars, priced by the registry's {@code prices}, or null
 */
public record Budget(Long tokens, Double costUsd) {}
