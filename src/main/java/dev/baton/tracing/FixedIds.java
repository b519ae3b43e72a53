package dev.baton.tracing;

import io.opentelemetry.sdk.trace.IdGenerator;
import java.util.function.Supplier;

/**
 * Hands the SDK the ids {@link TraceIds} derived for the span being started on this thread: the SDK takes a span's
 * ids from its {@link IdGenerator} and offers no other way to set them.
 */
final class FixedIds implements IdGenerator {
    private static final IdGenerator RANDOM = IdGenerator.random();
    private final ThreadLocal<String[]> next = new ThreadLocal<>();

    /** Starts a span (what {@code start} does) whose trace id, when it has no parent, and span id are the ones given. */
    <T> T with(String traceId, String spanId, Supplier<T> start) {
        next.set(new String[] {traceId, spanId});
        try {
            return start.get();
        } finally {
            next.remove();
        }
    }

    @Override
    public String generateSpanId() {
        String[] ids = next.get();
        return ids == null ? RANDOM.generateSpanId() : ids[1];
    }

    @Override
    public String generateTraceId() {
        String[] ids = next.get();
        return ids == null ? RANDOM.generateTraceId() : ids[0];
    }

    @Override
    public boolean generatesRandomTraceIds() {
        return false;
    }
}
