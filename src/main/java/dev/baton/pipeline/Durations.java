package dev.baton.pipeline;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads and writes the short duration form pipelines use ({@code 200ms}, {@code 1m30s}, {@code 2d}) and ISO-8601. */
public final class Durations {
    // Units must come largest first and at most once, so "30s1m" is rejected rather than silently summed.
    // The lookahead keeps "5ms" from being read as five minutes followed by a stray "s".
    private static final Pattern SHORT =
            Pattern.compile("(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m(?!s))?(?:(\\d+)s)?(?:(\\d+)ms)?");

    private Durations() {}

    /**
     * Parses {@code 200ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 2d}, combinations such as {@code 1h30m},
     * or ISO-8601 such as {@code PT5M}.
     *
     * @throws IllegalArgumentException when the text is none of these or is negative
     */
    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw invalid(text);
        }
        String t = text.strip();
        if (t.charAt(0) == 'P' || t.charAt(0) == 'p') {
            return iso(text, t);
        }
        Matcher m = SHORT.matcher(t);
        if (!m.matches()) {
            throw invalid(text);
        }
        try {
            Duration d = Duration.ZERO;
            d = d.plusDays(part(m, 1));
            d = d.plusHours(part(m, 2));
            d = d.plusMinutes(part(m, 3));
            d = d.plusSeconds(part(m, 4));
            return d.plusMillis(part(m, 5));
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("duration '" + text + "' is too large", e);
        }
    }

    /**
     * Writes the short form, largest unit first ({@code 1m30s}, {@code 200ms}, {@code 0s}); durations finer than a
     * millisecond come out as ISO-8601 so that {@link #parse} always reads back the same value.
     *
     * @throws IllegalArgumentException for a negative duration, which {@link #parse} would not accept either
     */
    public static String format(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("duration " + duration + " is negative");
        }
        if (duration.getNano() % 1_000_000 != 0) {
            return duration.toString();
        }
        if (duration.isZero()) {
            return "0s";
        }
        StringBuilder out = new StringBuilder();
        append(out, duration.toDaysPart(), "d");
        append(out, duration.toHoursPart(), "h");
        append(out, duration.toMinutesPart(), "m");
        append(out, duration.toSecondsPart(), "s");
        append(out, duration.toMillisPart(), "ms");
        return out.toString();
    }

    private static Duration iso(String original, String t) {
        try {
            Duration d = Duration.parse(t);
            if (d.isNegative()) {
                throw new IllegalArgumentException("duration '" + original + "' is negative");
            }
            return d;
        } catch (DateTimeParseException e) {
            throw invalid(original);
        }
    }

    private static long part(Matcher m, int group) {
        String digits = m.group(group);
        return digits == null ? 0 : Long.parseLong(digits);
    }

    private static void append(StringBuilder out, long amount, String unit) {
        if (amount != 0) {
            out.append(amount).append(unit);
        }
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException(
                "'" + text + "' is not a duration; use e.g. 200ms, 30s, 5m, 1h, 2d, 1m30s or PT5M");
    }
}
