package dev.baton.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** Fire times of Quartz cron expressions in a time zone, and which edits start a new chain of ticks. */
class ScheduleTest {
    static Schedule at(String cron, String zone) {
        return new Schedule(cron, ZoneId.of(zone), null, Schedule.DEFAULT_MISSED);
    }

    @Test
    void nextAndLastFireTimesAreReadInTheScheduleTimeZone() {
        Schedule paris = at("0 0 9 * * ?", "Europe/Paris");
        Instant noon = Instant.parse("2026-11-30T12:00:00Z");

        assertThat(paris.nextAfter(noon)).contains(Instant.parse("2026-12-01T08:00:00Z"));
        assertThat(paris.lastAtOrBefore(noon)).contains(Instant.parse("2026-11-30T08:00:00Z"));
    }

    @Test
    void nextIsStrictlyAfterAndLastIncludesTheInstantItself() {
        Schedule everyTwo = at("*/2 * * * * ?", "UTC");
        Instant tick = Instant.parse("2026-11-30T12:00:02Z");

        assertThat(everyTwo.nextAfter(tick)).contains(Instant.parse("2026-11-30T12:00:04Z"));
        assertThat(everyTwo.lastAtOrBefore(tick)).contains(tick);
        assertThat(everyTwo.lastAtOrBefore(tick.plusMillis(1999))).contains(tick);
    }

    @Test
    void fireTimesAreWholeSecondsWhateverTheyAreComputedFrom() {
        Schedule everySecond = at("* * * * * ?", "UTC");

        assertThat(everySecond.nextAfter(Instant.parse("2026-11-30T12:00:00.562Z")))
                .contains(Instant.parse("2026-11-30T12:00:01Z"));
        assertThat(everySecond.nextAfter(Instant.parse("2026-11-30T12:00:00Z")))
                .contains(Instant.parse("2026-11-30T12:00:01Z"));
        assertThat(everySecond.lastAtOrBefore(Instant.parse("2026-11-30T12:00:00.562Z")))
                .contains(Instant.parse("2026-11-30T12:00:00Z"));
    }

    @Test
    void aSevenFieldExpressionWithAPastYearNeverFiresAgain() {
        assertThat(at("0 0 9 * * ? 2020", "UTC").nextAfter(Instant.parse("2026-01-01T00:00:00Z")))
                .isEmpty();
    }

    @Test
    void cronProblemsNameTheField() {
        assertThat(Schedule.cronProblem("0 0 9 * * ?")).isEmpty();
        assertThat(Schedule.cronProblem("0 0 9 ? * MON-FRI 2030")).isEmpty();
        assertThat(Schedule.cronProblem("0 61 9 * * ?")).contains("Value 61 not in range [0, 59]");
        assertThat(Schedule.cronProblem("* * * * *"))
                .hasValueSatisfying(p -> assertThat(p).endsWith("this one has 5"));
    }

    @Test
    void theChainChangesWithTheCronOrTheZoneOnly() {
        Schedule base = at("0 0 9 * * ?", "UTC");
        Schedule otherParams =
                new Schedule("0  0 9 * * ?", ZoneId.of("UTC"), Json.object().put("topic", "x"), Schedule.Missed.ONCE);

        assertThat(otherParams.chain()).isEqualTo(base.chain());
        assertThat(at("0 0 10 * * ?", "UTC").chain()).isNotEqualTo(base.chain());
        assertThat(at("0 0 9 * * ?", "Europe/Paris").chain()).isNotEqualTo(base.chain());
    }
}
