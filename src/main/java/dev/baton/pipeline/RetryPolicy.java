package dev.baton.pipeline;

import java.time.Duration;

/**
 * How often a ticket is attempted and how long the broker holds it between attempts.
 *
 * @param jitter fraction (0 to 1) of each wait that is randomised: a wait w becomes a value in
 *     {@code [w * (1 - jitter), w]}, so that many tickets failing together do not retry together
 */
public record RetryPolicy(int maxAttempts, Backoff backoff, Duration initialDelay, Duration maxDelay, double jitter) {
    public static final RetryPolicy NONE = new RetryPolicy(1, Backoff.FIXED, Duration.ZERO, Duration.ZERO, 0);

    /** The wait before attempt {@code nextAttempt} (2 is the first retry), before jitter. */
    public Duration delayBefore(int nextAttempt) {
        if (backoff == Backoff.FIXED || nextAttempt <= 2) {
            return min(initialDelay, maxDelay);
        }
        long factor = 1L << Math.min(30, nextAttempt - 2);
        Duration grown = initialDelay.multipliedBy(factor);
        return min(grown, maxDelay);
    }

    /**
     * The wait before attempt {@code nextAttempt}, with jitter drawn from {@code seed}: the same ticket and attempt
     * always get the same wait, so a transition applied again after a crash computes the same timer.
     */
    public Duration delayBefore(int nextAttempt, long seed) {
        Duration base = delayBefore(nextAttempt);
        if (jitter <= 0 || base.isZero()) {
            return base;
        }
        double unit = (new java.util.SplittableRandom(seed ^ nextAttempt).nextLong() >>> 11) * 0x1.0p-53;
        long cut = (long) (base.toMillis() * jitter * unit);
        return base.minusMillis(cut);
    }

    private static Duration min(Duration a, Duration b) {
        if (b.isZero()) {
            return a;
        }
        return a.compareTo(b) <= 0 ? a : b;
    }
}
