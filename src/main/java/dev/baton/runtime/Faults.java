package dev.baton.runtime;

import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fault injection for crash tests: {@code baton.fault=<point>@<n>} kills the process (SIGKILL) the n-th
 * time execution passes the named point. Off unless the property is set.
 */
public final class Faults {
    /** Inside the transaction that applies a reply, its writes done, before the DB commit. */
    public static final String BEFORE_DB_COMMIT = "before-db-commit";
    /** The reply's transition is committed in the DB; nothing of it is sent yet. */
    public static final String AFTER_DB_COMMIT = "after-db-commit";
    /** The transition's messages are committed on the broker; their outbox rows are not deleted yet. */
    public static final String AFTER_SEND = "after-send";
    /** Everything is done for a reply except the commit of its JMS consumption: the reply will come again. */
    public static final String BEFORE_ACK = "before-ack";
    /** Before the DB commit of a reply to a for_each item ticket (a split). */
    public static final String IN_SPLIT = "in-split";
    /** Before the DB commit of a reply to a ticket of a multi-agent stage (an aggregation). */
    public static final String IN_AGGREGATION = "in-aggregation";
    /** Before the DB commit of a reply to a compensation ticket. */
    public static final String IN_COMPENSATION = "in-compensation";

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
            killSelf();
        }
    }

    /**
     * Ends this process with SIGKILL, as the crash it stands for would, and does not return. {@code Runtime.halt}
     * once hung: the JVM's connections were gone, yet the process had not exited two minutes later, and it logged
     * nothing on SIGTERM either. A signal cannot hang. Where {@code kill} is missing, halt it is.
     */
    private static void killSelf() {
        try {
            String pid = Long.toString(ProcessHandle.current().pid());
            Process kill = new ProcessBuilder("kill", "-KILL", pid)
                    .redirectErrorStream(true)
                    .start();
            if (kill.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) && kill.exitValue() == 0) {
                Thread.sleep(10_000); // the signal ends the process meanwhile
            }
            LOG.warn("fault injection: kill -KILL did not end the process; halting instead");
        } catch (java.io.IOException e) {
            LOG.warn("fault injection: no kill command ({}); halting instead", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Runtime.getRuntime().halt(137);
    }
}
