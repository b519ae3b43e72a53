package dev.baton.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private static final Duration SECOND = Duration.ofSeconds(1);

    @Test
    void exponentialDoublesFromTheInitialDelayUpToTheMaximum() {
        RetryPolicy p = new RetryPolicy(10, Backoff.EXPONENTIAL, SECOND, Duration.ofSeconds(10), 0);

        assertThat(p.delayBefore(2)).isEqualTo(SECOND);
        assertThat(p.delayBefore(3)).isEqualTo(Duration.ofSeconds(2));
        assertThat(p.delayBefore(4)).isEqualTo(Duration.ofSeconds(4));
        assertThat(p.delayBefore(5)).isEqualTo(Duration.ofSeconds(8));
        assertThat(p.delayBefore(6)).isEqualTo(Duration.ofSeconds(10));
        assertThat(p.delayBefore(60)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void fixedWaitsTheInitialDelayEveryTime() {
        RetryPolicy p = new RetryPolicy(5, Backoff.FIXED, Duration.ofMillis(300), Duration.ofMinutes(1), 0);

        assertThat(p.delayBefore(2)).isEqualTo(Duration.ofMillis(300));
        assertThat(p.delayBefore(5)).isEqualTo(Duration.ofMillis(300));
    }

    @Test
    void jitterShortensEachWaitByAtMostItsFractionAndIsTheSameForTheSameSeed() {
        RetryPolicy p = new RetryPolicy(10, Backoff.EXPONENTIAL, Duration.ofSeconds(4), Duration.ofMinutes(1), 0.5);
        Set<Duration> seen = new HashSet<>();
        for (long seed = 0; seed < 200; seed++) {
            Duration d = p.delayBefore(3, seed);
            assertThat(d).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(8));
            assertThat(p.delayBefore(3, seed)).isEqualTo(d);
            seen.add(d);
        }
        assertThat(seen).as("different tickets wait different times").hasSizeGreaterThan(100);
        assertThat(new RetryPolicy(3, Backoff.FIXED, SECOND, SECOND, 0).delayBefore(2, 42))
                .isEqualTo(SECOND);
    }
}
