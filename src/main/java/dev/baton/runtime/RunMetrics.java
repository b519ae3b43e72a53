package dev.baton.runtime;

import dev.baton.ticket.RunStatus;
import dev.baton.ticket.Tx;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * Counts runs started and ended per pipeline, times tickets and stages per pipeline, stage and agent with how they
 * ended, and counts failures, retries and tokens. Every figure is
 * recorded only once the transaction that made the transition has committed, so a rolled-back (and later
 * redelivered) transition is not counted twice. The counters start from zero with the process, as Prometheus
 * counters may: {@code rate()} and {@code increase()} handle the reset.
 */
public final class RunMetrics {
    public static final String RUNS_STARTED = "baton.runs.started";
    public static final String RUNS_ENDED = "baton.runs.ended";
    public static final String QUEUE_WAIT = "baton.ticket.queue.wait";
    public static final String PROCESSING = "baton.ticket.processing";
    public static final String ATTEMPTS = "baton.ticket.attempts";
    public static final String FAILURES = "baton.ticket.failures";
    public static final String RETRIES = "baton.ticket.retries";
    public static final String STAGE_DURATION = "baton.stage.duration";
    public static final String TOKENS = "baton.tokens";
    public static final String COST = "baton.cost.usd";
    /** Histogram buckets from 10 ms to 1 h: agents range from in-process demos to people-paced LLM chains. */
    private static final Duration[] BUCKETS = {
        Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
        Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5),
        Duration.ofMinutes(15), Duration.ofHours(1)
    };

    private final MeterRegistry registry;
    private final RunTraces traces;

    public RunMetrics(MeterRegistry registry) {
        this(registry, dev.baton.tracing.Tracing.off());
    }

    /** Metrics, and spans where {@code tracing} is on: both recorded where a run, stage or attempt ends. */
    public RunMetrics(MeterRegistry registry, dev.baton.tracing.Tracing tracing) {
        this.registry = registry;
        this.traces = new RunTraces(tracing);
    }

    RunTraces traces() {
        return traces;
    }

    public MeterRegistry registry() {
        return registry;
    }

    void runStarted(String pipeline) {
        Tx.afterCommit(() -> Counter.builder(RUNS_STARTED)
                .description("Runs started")
                .tag("pipeline", pipeline)
                .register(registry)
                .increment());
    }

    void runEnded(String pipeline, RunStatus status) {
        Tx.afterCommit(() -> Counter.builder(RUNS_ENDED)
                .description("Runs that ended, by how: SUCCEEDED, FAILED, COMPENSATED, CANCELLED")
                .tag("pipeline", pipeline)
                .tag("status", status.name())
                .register(registry)
                .increment());
    }

    /** From the attempt being deliverable on its agent's queue to the agent's first progress or reply. */
    void queueWait(String pipeline, String stage, String agent, Duration d) {
        Duration positive = d.isNegative() ? Duration.ZERO : d; // clocks of several instances
        Tx.afterCommit(() -> Timer.builder(QUEUE_WAIT)
                .description("Ticket attempts: from queued to the agent's first progress or reply")
                .serviceLevelObjectives(BUCKETS)
                .tags(tags(pipeline, stage, agent))
                .register(registry)
                .record(positive));
    }

    /**
     * From the agent's first progress (or reply) to its final reply, per attempt, with how the attempt ended:
     * {@code succeeded}, {@code failed} (for good) or {@code retried} (failed, and another attempt follows).
     */
    void processing(String pipeline, String stage, String agent, Outcome outcome, Duration d) {
        Duration positive = d.isNegative() ? Duration.ZERO : d; // clocks of several instances
        Tx.afterCommit(() -> Timer.builder(PROCESSING)
                .description("Ticket attempts: from the agent's first progress to its final reply, by outcome")
                .serviceLevelObjectives(BUCKETS)
                .tags(tags(pipeline, stage, agent))
                .tag("outcome", outcome.label())
                .register(registry)
                .record(positive));
    }

    /**
     * An attempt ended; unsuccessful ones are also counted as failures ({@code failed}, {@code retried} after a
     * failure, {@code timed_out}) and, when another attempt follows, as retries.
     *
     * @param failure whether the attempt failed or timed out (a {@code retried} attempt whose instance went away
     *     did not fail)
     */
    void attemptEnded(String pipeline, String stage, String agent, Outcome outcome, boolean failure) {
        Tags tags = tags(pipeline, stage, agent);
        Tx.afterCommit(() -> {
            Counter.builder(ATTEMPTS)
                    .description("Ticket attempts that ended, by outcome")
                    .tags(tags)
                    .tag("outcome", outcome.label())
                    .register(registry)
                    .increment();
            if (failure) {
                Counter.builder(FAILURES)
                        .description("Ticket attempts that failed or timed out, retried or not")
                        .tags(tags)
                        .register(registry)
                        .increment();
            }
            if (outcome == Outcome.RETRIED) {
                Counter.builder(RETRIES)
                        .description("Ticket attempts dispatched again after one that did not succeed")
                        .tags(tags)
                        .register(registry)
                        .increment();
            }
        });
    }

    /** A stage (an inner stage: each iteration) ended; its duration runs from its start (zero when skipped). */
    void stageEnded(String pipeline, String stage, Outcome outcome, Duration d) {
        Duration positive = d == null || d.isNegative() ? Duration.ZERO : d;
        Tx.afterCommit(() -> Timer.builder(STAGE_DURATION)
                .description("Stages that ended: from started to ended, by outcome")
                .serviceLevelObjectives(BUCKETS)
                .tag("pipeline", pipeline)
                .tag("stage", stage)
                .tag("outcome", outcome.label())
                .register(registry)
                .record(positive));
    }

    /** Tokens an agent reported with a reply ({@code prompt}, {@code completion}, {@code total}), and their cost. */
    void tokens(String pipeline, String stage, String agent, TokenUsage usage) {
        Tags tags = tags(pipeline, stage, agent);
        Tx.afterCommit(() -> {
            count(TOKENS, tags.and("type", "prompt"), usage.prompt());
            count(TOKENS, tags.and("type", "completion"), usage.completion());
            count(TOKENS, tags.and("type", "total"), usage.total());
            if (usage.costUsd() != null) {
                Counter.builder(COST)
                        .description("Cost of the tokens agents reported, in US dollars, by the price "
                                + "table of config/agents.yaml")
                        .tags(tags)
                        .register(registry)
                        .increment(usage.costUsd());
            }
        });
    }

    private void count(String name, Tags tags, long n) {
        Counter.builder(name)
                .description("Tokens agents reported with their replies, by type")
                .tags(tags)
                .register(registry)
                .increment(n);
    }

    private static Tags tags(String pipeline, String stage, String agent) {
        return Tags.of("pipeline", pipeline, "stage", stage, "agent", agent == null ? "" : agent);
    }

    /** How a ticket attempt or a stage ended, as the {@code outcome} label says it. */
    public enum Outcome {
        SUCCEEDED,
        FAILED,
        RETRIED,
        TIMED_OUT,
        CANCELLED,
        SKIPPED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
