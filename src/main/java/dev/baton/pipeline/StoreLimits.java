package dev.baton.pipeline;

import java.time.Duration;

/**
 * The largest names and durations a pipeline may use, so that everything the format accepts also fits the store's
 * columns on H2 and PostgreSQL (the Flyway migrations): checked at load, never found out by a failing INSERT.
 */
public final class StoreLimits {
    /** Pipeline and stage names ({@code run.pipeline}, {@code run_stage.name}, {@code ticket.stage}): 63 characters. */
    public static final int NAME = 63;
    /** Agent names ({@code ticket.agent}, {@code agent_instance.agent}): 100 characters. */
    public static final int AGENT = 100;
    /** A for_each item's label ({@code ticket.label}): longer labels are cut, they only name the item. */
    public static final int LABEL = 200;
    /**
     * Every duration (timeouts, deadlines, retry delays, approval timeouts): ten years. A lease or deadline is a
     * timestamp in the store and a delivery time on the broker; {@code 999999999d} is past what PostgreSQL's
     * TIMESTAMP holds.
     */
    public static final Duration MAX_DURATION = Duration.ofDays(3650);
    /** Stages in one pipeline, inner loop stages included, unless configured otherwise. */
    public static final int DEFAULT_MAX_STAGES = 1000;

    private StoreLimits() {}
}
