package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The block {@code status --watch} draws: the run's status, elapsed time and ETA, then one line per stage with its
 * status, a progress bar of tickets done / total, its elapsed time and ETA.
 */
final class ProgressView {
    static final int BAR = 20;

    /** The lines to draw, and what they say without the clock, so a plain redraw can skip a block that says nothing new. */
    record Block(List<String> lines, String state) {}

    private ProgressView() {}

    static Block render(JsonNode run, Instant now) {
        List<String> lines = new ArrayList<>();
        StringBuilder state = new StringBuilder(run.path("status").asText());
        List<StageProgress> stages = new ArrayList<>();
        var inner = StageProgress.innerStages(run.path("stages")); // once: a pipeline may have 100,000 stages
        for (JsonNode s : run.path("stages")) {
            stages.add(StageProgress.of(s, inner, now));
        }
        int done = 0;
        int total = 0;
        for (StageProgress p : stages) {
            if (p.name().indexOf('/') < 0) { // a loop's inner stages are counted in the loop's line
                done += p.done();
                total += p.total();
            }
        }
        Duration elapsed = StageProgress.between(run.path("createdAt"), run.path("finishedAt"), now);
        boolean going = !RunWatch.ended(run);
        lines.add(String.format(
                "run %s  pipeline %s  %s  %s %3d%%  elapsed %s%s",
                run.path("id").asText(),
                run.path("pipeline").asText(),
                run.path("status").asText(),
                bar(done, total),
                percent(done, total),
                format(elapsed),
                going ? eta(StageProgress.eta(elapsed, done, total)) : ""));
        if (run.hasNonNull("error")) {
            lines.add("  error: " + run.path("error").asText());
            state.append(run.path("error").asText());
        }
        String spent = SpendLine.of(run);
        if (spent != null) {
            lines.add(spent);
            state.append(spent);
        }
        for (StageProgress p : stages) {
            String note = p.iteration() > 0 && p.name().indexOf('/') < 0 ? "  iteration " + p.iteration() : "";
            lines.add(String.format(
                            "  %-20s %-16s %s %3d%% %7s  %s%s%s",
                            p.name(),
                            p.status(),
                            bar(p.done(), p.total()),
                            percent(p.done(), p.total()),
                            p.done() + "/" + p.total(),
                            format(p.elapsed()),
                            eta(p.eta()),
                            note)
                    .stripTrailing());
            state.append('|')
                    .append(p.name())
                    .append(' ')
                    .append(p.status())
                    .append(' ')
                    .append(p.done())
                    .append('/')
                    .append(p.total())
                    .append(note);
        }
        return new Block(lines, state.toString());
    }

    static String bar(int done, int total) {
        int filled = total == 0 ? 0 : (int) ((long) BAR * done / total);
        return "[" + "#".repeat(filled) + "-".repeat(BAR - filled) + "]";
    }

    static int percent(int done, int total) {
        return total == 0 ? 0 : (int) (100L * done / total);
    }

    private static String eta(Duration eta) {
        return eta == null ? "" : "  ETA " + format(eta);
    }

    /** {@code 0.3s}, {@code 42s}, {@code 2m05s}, {@code 1h02m}; blank for none. */
    static String format(Duration d) {
        if (d == null) {
            return "";
        }
        long s = d.toSeconds();
        if (s < 10) return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
        if (s < 60) return s + "s";
        if (s < 3600) return String.format("%dm%02ds", s / 60, s % 60);
        return String.format("%dh%02dm", s / 3600, (s % 3600) / 60);
    }
}
