package dev.baton.pipeline;

/** How the wait between retry attempts grows. */
public enum Backoff {
    FIXED,
    EXPONENTIAL
}
