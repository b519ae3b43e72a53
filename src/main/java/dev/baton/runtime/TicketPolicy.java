package dev.baton.runtime;

import dev.baton.pipeline.Compensation;
import dev.baton.pipeline.RetryPolicy;
import dev.baton.pipeline.StageBase;
import java.time.Duration;

/** What a ticket's attempts obey — retries, lease, JMS priority — taken from its stage or its compensation. */
record TicketPolicy(RetryPolicy retry, Duration timeout, int priority) {

    static TicketPolicy of(StageBase stage) {
        return new TicketPolicy(stage.retry(), stage.timeout(), stage.priority());
    }

    /** A compensation inherits what it does not say from the stage it undoes. */
    static TicketPolicy of(StageBase stage, Compensation comp) {
        return new TicketPolicy(comp.retry() == null ? stage.retry() : comp.retry(),
                comp.timeout() == null ? stage.timeout() : comp.timeout(), stage.priority());
    }
}
