package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How far one stage of a run has got, read from {@code GET /api/runs/{id}}: tickets done of total (for_each items,
 * fan-out agents, a loop's inner stages in its current iteration), elapsed time and an ETA from the rate so far.
 */
record StageProgress(String name, String status, int done, int total, int iteration, Duration elapsed, Duration eta) {
    private static final Set<String> TICKET_DONE = Set.of("SUCCEEDED", "SKIPPED");
    private static final Set<String> STAGE_COMPLETE = Set.of("SUCCEEDED", "SKIPPED");

    /** The progress of {@code stage} as of {@code now}; {@code stages} are all of the run's, for a loop's inner ones. */
    static StageProgress of(JsonNode stage, JsonNode stages, Instant now) {
        return of(stage, innerStages(stages), now);
    }

    /** A run's stages by the loop they are directly inside ({@code loop/inner} under {@code loop}). */
    static Map<String, List<JsonNode>> innerStages(JsonNode stages) {
        Map<String, List<JsonNode>> inner = new HashMap<>();
        for (JsonNode s : stages) {
            String n = s.path("name").asText();
            int slash = n.lastIndexOf('/');
            if (slash > 0) {
                inner.computeIfAbsent(n.substring(0, slash), k -> new ArrayList<>())
                        .add(s);
            }
        }
        return inner;
    }

    /** As {@link #of(JsonNode, JsonNode, Instant)}, with the run's {@link #innerStages} made once for all stages. */
    static StageProgress of(JsonNode stage, Map<String, List<JsonNode>> inner, Instant now) {
        String name = stage.path("name").asText();
        String status = stage.path("status").asText();
        int[] counts = counts(stage, inner);
        int done = counts[0];
        int total = counts[1];
        if (total == 0) {
            total = 1;
            done = 0; // a stage without tickets (an approval, one not started) is done only when it completes
        }
        if (STAGE_COMPLETE.contains(status)) {
            done = total;
        }
        Duration elapsed = between(stage.path("startedAt"), stage.path("finishedAt"), now);
        boolean going = !STAGE_COMPLETE.contains(status) && !RunWatch.TERMINAL.contains(status);
        return new StageProgress(
                name,
                status,
                done,
                total,
                stage.path("iteration").asInt(0),
                elapsed,
                going ? eta(elapsed, done, total) : null);
    }

    /** {@code done, total} from items, else the work tickets of the latest iteration, else a loop's inner stages. */
    private static int[] counts(JsonNode stage, Map<String, List<JsonNode>> innerStages) {
        JsonNode items = stage.path("items");
        if (items.isObject()) {
            return new int[] {items.path("done").asInt(), items.path("total").asInt()};
        }
        int done = 0;
        int total = 0;
        List<JsonNode> inside = innerStages.getOrDefault(stage.path("name").asText(), List.of());
        boolean loop = !inside.isEmpty();
        for (JsonNode inner : inside) {
            StageProgress p = of(inner, innerStages, Instant.EPOCH);
            done += p.done();
            total += p.total();
        }
        if (loop) {
            return new int[] {done, total};
        }
        int latest = 0;
        for (JsonNode t : stage.path("tickets")) {
            if ("work".equals(t.path("purpose").asText("work")))
                latest = Math.max(latest, t.path("iteration").asInt(0));
        }
        for (JsonNode t : stage.path("tickets")) {
            if ("work".equals(t.path("purpose").asText("work"))
                    && t.path("iteration").asInt(0) == latest) {
                total++;
                if (TICKET_DONE.contains(t.path("status").asText())) done++;
            }
        }
        return new int[] {done, total};
    }

    double fraction() {
        return total == 0 ? 0 : (double) done / total;
    }

    /** Time from {@code start} to {@code end}, or to now while it has no end; null before it started. */
    static Duration between(JsonNode start, JsonNode end, Instant now) {
        if (!start.isTextual()) {
            return null;
        }
        Instant to = end.isTextual() ? Instant.parse(end.asText()) : now;
        Duration d = Duration.between(Instant.parse(start.asText()), to);
        return d.isNegative() ? Duration.ZERO : d; // the client's clock may lag the server's
    }

    /** What is left at the rate so far: elapsed * (total - done) / done; null until something is done. */
    static Duration eta(Duration elapsed, int done, int total) {
        if (elapsed == null || done <= 0 || done >= total) {
            return null;
        }
        return Duration.ofMillis(elapsed.toMillis() * (total - done) / done);
    }
}
