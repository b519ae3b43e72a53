package dev.baton.runtime;

import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fault injection for crash tests: {@code baton.fault=<point>@<n>} halts the process (as kill -9 would) the n-th
 * time execution passes the named point. Off unless the property is set.
 */
public final class Faults {
    public static final String AFTER_DB_COMMIT = "after-db-commit";
    public static final String AFTER_SEND = "after-send";

    private static final Logger LOG = LoggerFactory.getLogger(Faults.class);
    private final String point;
    private final int nth;
    private final AtomicInteger passes = new AtomicInteger();

    public Faults(String spec) {
        if (spec == null || spec.isBlank()) {
            point = null;
            nth = 0;
        } else {
            String[] parts = spec.split("@");
            point = parts[0];
            nth = parts.length > 1 ? Integer.parseInt(parts[1]) : 1;
        }
    }

    public void pass(String name) {
        if (name.equals(point) && passes.incrementAndGet() == nth) {
            LOG.warn("fault injection: halting at {} (pass {})", name, nth);
            Runtime.getRuntime().halt(137);
        }
    }
}
