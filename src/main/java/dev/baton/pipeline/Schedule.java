package dev.baton.pipeline;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When a pipeline starts by itself: a Quartz cron expression read in a time zone, the params of every run it starts,
 * and what happens to ticks that no Baton was running to fire.
 *
 * @param cron a Quartz expression of 6 or 7 fields, checked by {@link #cronProblem} when the file was loaded
 * @param params the params of each run, as written (defaults are applied when a run starts)
 */
public record Schedule(String cron, ZoneId timezone, ObjectNode params, Missed missed) {
    /** What a tick that was not fired in time (Baton was down) becomes when Baton is back. */
    public enum Missed {
        /** Dropped; the schedule goes on from the next tick after now. */
        SKIP,
        /** One run for the most recent missed tick, however many were missed. */
        ONCE;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final Missed DEFAULT_MISSED = Missed.SKIP;
    public static final ZoneId DEFAULT_TIMEZONE = ZoneId.of("UTC");

    private static final CronParser QUARTZ =
            new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));
    private static final Map<String, ExecutionTime> PARSED = new ConcurrentHashMap<>();

    public Schedule {
        cron = normalise(cron);
        params = params == null ? Json.object() : params;
    }

    /** Why {@code cron} is not a Quartz cron expression, or empty when it is one. */
    public static Optional<String> cronProblem(String cron) {
        String text = normalise(cron);
        int fields = text.isEmpty() ? 0 : text.split(" ").length;
        if (fields < 6 || fields > 7) {
            return Optional.of("a Quartz cron has 6 or 7 fields (seconds minutes hours day-of-month month day-of-week"
                    + " [year]), like \"0 0 9 * * ?\"; this one has " + fields);
        }
        try {
            executionTime(text);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage().replaceFirst("^Failed to parse cron expression\\. ", ""));
        }
    }

    /** The first fire time strictly after {@code t}; empty when the expression never fires again. */
    public Optional<Instant> nextAfter(Instant t) {
        // Whole seconds in and out: the library keeps the sub-second part of what it is given ("* * * * * ?" after
        // 12:00:00.5 gave 12:00:01.5), and two instances must compute the same tick times to agree on ticks.
        return executionTime(cron)
                .nextExecution(t.truncatedTo(ChronoUnit.SECONDS).atZone(timezone))
                .map(z -> z.toInstant().truncatedTo(ChronoUnit.SECONDS));
    }

    /** The last fire time at or before {@code t}. */
    public Optional<Instant> lastAtOrBefore(Instant t) {
        // Fire times are whole seconds, and the library's "last" excludes the instant it is given.
        Instant after = t.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        return executionTime(cron)
                .lastExecution(after.atZone(timezone))
                .map(z -> z.toInstant().truncatedTo(ChronoUnit.SECONDS));
    }

    /**
     * Names the chain of ticks this schedule makes: the cron and the zone decide the tick times, so a file edited to
     * another cron or zone starts a new chain, and the ticks left from the old one are recognised and dropped.
     * Params and {@code missed} are read when a tick fires, so editing them keeps the chain.
     */
    public String chain() {
        return Json.sha256(cron + "\n" + timezone.getId()).substring(0, 16);
    }

    private static ExecutionTime executionTime(String cron) {
        return PARSED.computeIfAbsent(cron, c -> {
            var parsed = QUARTZ.parse(c);
            parsed.validate();
            return ExecutionTime.forCron(parsed);
        });
    }

    private static String normalise(String cron) {
        return cron == null ? "" : cron.trim().replaceAll("\\s+", " ");
    }
}
