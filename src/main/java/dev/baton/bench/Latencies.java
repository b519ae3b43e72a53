package dev.baton.bench;

import java.util.Arrays;

/** Nanosecond samples and their percentiles. */
final class Latencies {
    private long[] samples = new long[1024];
    private int size;

    synchronized void add(long nanos) {
        if (size == samples.length) {
            samples = Arrays.copyOf(samples, size * 2);
        }
        samples[size++] = nanos;
    }

    synchronized int size() {
        return size;
    }

    /** The p-th percentile (0-100) in milliseconds, or NaN without samples. */
    synchronized double percentileMillis(double p) {
        if (size == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(samples, size);
        Arrays.sort(sorted);
        int index = (int) Math.min(size - 1, Math.max(0, Math.ceil(p / 100.0 * size) - 1));
        return sorted[index] / 1e6;
    }

    String summary() {
        return String.format(
                "p50 %.2f ms  p99 %.2f ms  (%d samples)", percentileMillis(50), percentileMillis(99), size());
    }
}
