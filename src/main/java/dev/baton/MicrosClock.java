package dev.baton;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * The UTC system clock cut to microseconds, what H2 and PostgreSQL keep: an event published from memory then says the
 * same time as the history row it is read back from ({@code Clock.tick} below a millisecond divides by zero).
 */
final class MicrosClock extends Clock {
    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("Baton's clock is UTC");
    }

    @Override
    public Instant instant() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    @Override
    public long millis() {
        return System.currentTimeMillis();
    }
}
