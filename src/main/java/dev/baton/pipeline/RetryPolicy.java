package dev.baton.pipeline;

import java.time.Duration;

/** How often a ticket is attempted and how long the broker holds it between attempts. */
public record RetryPolicy(int maxAttempts, Backoff backoff, Duration initialDelay, Duration maxDelay) {
    public static final RetryPolicy NONE = new RetryPolicy(1, Backoff.FIXED, Duration.ZERO, Duration.ZERO);

    /** The wait before attempt {@code nextAttempt} (2 is the first retry). */
    public Duration delayBefore(int nextAttempt) {
        if (backoff == Backoff.FIXED || nextAttempt <= 2) {
            return min(initialDelay, maxDelay);
        }
        long factor = 1L << Math.min(30, nextAttempt - 2);
        Duration grown = initialDelay.multipliedBy(factor);
        return min(grown, maxDelay);
    }

    private static Duration min(Duration a, Duration b) {
        if (b.isZero()) {
            return a;
        }
        return a.compareTo(b) <= 0 ? a : b;
    }
}
