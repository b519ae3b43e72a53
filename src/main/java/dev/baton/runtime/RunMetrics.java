package dev.baton.runtime;

import dev.baton.ticket.RunStatus;
import dev.baton.ticket.Tx;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * Counts runs started and ended per pipeline and times tickets per pipeline, stage and agent. Every figure is
 * recorded only once the transaction that made the transition has committed, so a rolled-back (and later
 * redelivered) transition is not counted twice. The counters start from zero with the process, as Prometheus
 * counters may: {@code rate()} and {@code increase()} handle the reset.
 */
public final class RunMetrics {
    public static final String RUNS_STARTED = "baton.runs.started";
    public static final String RUNS_ENDED = "baton.runs.ended";
    public static final String QUEUE_WAIT = "baton.ticket.queue.wait";
    public static final String PROCESSING = "baton.ticket.processing";
    /** Histogram buckets from 10 ms to 1 h: agents range from in-process demos to people-paced LLM chains. */
    private static final Duration[] BUCKETS = {
        Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
        Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5),
        Duration.ofMinutes(15), Duration.ofHours(1)
    };

    private final MeterRegistry registry;

    public RunMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    void runStarted(String pipeline) {
        Tx.afterCommit(() -> Counter.builder(RUNS_STARTED).description("Runs started")
                .tag("pipeline", pipeline).register(registry).increment());
    }

    void runEnded(String pipeline, RunStatus status) {
        Tx.afterCommit(() -> Counter.builder(RUNS_ENDED)
                .description("Runs that ended, by how: SUCCEEDED, FAILED, COMPENSATED, CANCELLED")
                .tag("pipeline", pipeline).tag("status", status.name()).register(registry).increment());
    }

    /** From the attempt being deliverable on its agent's queue to the agent's first progress or reply. */
    void queueWait(String pipeline, String stage, String agent, Duration d) {
        time(QUEUE_WAIT, "Ticket attempts: from queued to the agent's first progress or reply", pipeline, stage, agent,
                d);
    }

    /** From the agent's first progress (or reply) to its final reply, per attempt. */
    void processing(String pipeline, String stage, String agent, Duration d) {
        time(PROCESSING, "Ticket attempts: from the agent's first progress to its final reply", pipeline, stage,
                agent, d);
    }

    private void time(String name, String description, String pipeline, String stage, String agent, Duration d) {
        Duration positive = d.isNegative() ? Duration.ZERO : d; // clocks of several instances
        Tx.afterCommit(() -> Timer.builder(name).description(description).serviceLevelObjectives(BUCKETS)
                .tag("pipeline", pipeline).tag("stage", stage).tag("agent", agent == null ? "" : agent)
                .register(registry).record(positive));
    }
}
