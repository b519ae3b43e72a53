package dev.baton.runtime;

import dev.baton.pipeline.Compensation;
import dev.baton.pipeline.RetryPolicy;
import dev.baton.pipeline.StageBase;
import java.time.Duration;

/**
 * What a ticket's attempts obey — retries, lease, JMS priority, queue deadline — taken from its stage or its
 * compensation.
 *
 * @param priority JMS priority, or null for the agent's registry priority (else {@link #DEFAULT_PRIORITY})
 * @param deadline how long an attempt's message may wait in the agent's queue before it expires, or null
 */
record TicketPolicy(RetryPolicy retry, Duration timeout, Integer priority, Duration deadline) {
    /** JMS' own default priority. */
    static final int DEFAULT_PRIORITY = 4;

    static TicketPolicy of(StageBase stage) {
        return new TicketPolicy(stage.retry(), stage.timeout(), stage.priority(), stage.deadline());
    }

    /** A compensation inherits what it does not say from the stage it undoes. */
    static TicketPolicy of(StageBase stage, Compensation comp) {
        return new TicketPolicy(
                comp.retry() == null ? stage.retry() : comp.retry(),
                comp.timeout() == null ? stage.timeout() : comp.timeout(),
                stage.priority(),
                stage.deadline());
    }
}
