package dev.baton.runtime;

import dev.baton.compile.Endpoints;
import java.time.Clock;
import java.time.Duration;
import org.apache.camel.builder.RouteBuilder;

/**
 * Applies {@code baton.retention.finished-runs} every {@code baton.retention.interval}. A timer in each process is
 * safe: every deletion locks its run row and checks again that the run is finished, so two processes purging at once
 * delete each run once.
 */
public final class RetentionRoutes extends RouteBuilder {
    private final Retention retention;
    private final Duration keep;
    private final Duration interval;
    private final Clock clock;

    /** @param keep how long a finished run is kept after it ended */
    public RetentionRoutes(Retention retention, Duration keep, Duration interval, Clock clock) {
        this.retention = retention;
        this.keep = keep;
        this.interval = interval;
        this.clock = clock;
    }

    @Override
    public void configure() {
        from("timer:" + Endpoints.ROUTE_RETENTION + "?delay=" + interval.toMillis() + "&period=" + interval.toMillis())
                .routeId(Endpoints.ROUTE_RETENTION)
                .process(ex -> retention.purge(clock.instant().minus(keep)));
    }
}
