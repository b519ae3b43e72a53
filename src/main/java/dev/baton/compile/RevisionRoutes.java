package dev.baton.compile;

import dev.baton.pipeline.Pipeline;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;

/**
 * The compiled routes of every revision that runs: a revision's routes are added when its file loads (or when an
 * event of a run pinned to it needs them, after a restart), and removed once the revision is neither current nor
 * pinned by an unfinished run, and has not been used for a while (a rerun may revive it: it is added again).
 */
public final class RevisionRoutes {
    /** How long a retired revision's routes stay after their last use: longer than any one event takes. */
    public static final Duration IDLE = Duration.ofMinutes(1);

    private final CamelContext camel;
    private final PipelineCompiler compiler;
    private final Clock clock;
    private final Map<String, Instant> used = new ConcurrentHashMap<>();

    public RevisionRoutes(CamelContext camel, PipelineCompiler compiler, Clock clock) {
        this.camel = camel;
        this.compiler = compiler;
        this.clock = clock;
    }

    /** {@code <pipeline>@<revision>}, as {@link #retire} is told which to keep. */
    public static String key(String pipeline, String revision) {
        return pipeline + "@" + revision;
    }

    /** Adds the revision's routes unless they are there. */
    public void ensure(Pipeline p) throws Exception {
        String key = key(p.name(), p.revision());
        if (used.computeIfPresent(key, (k, at) -> clock.instant()) != null) {
            return;
        }
        synchronized (this) {
            if (!used.containsKey(key)) {
                ChunkedRoutes.add(camel, compiler.revision(p));
                used.put(key, clock.instant());
            }
        }
    }

    /** Whether the revision's routes are in the CamelContext. */
    public boolean has(String pipeline, String revision) {
        return used.containsKey(key(pipeline, revision));
    }

    /** Removes the routes of revisions not in {@code keep} and unused for {@code idle}; returns their keys. */
    public synchronized List<String> retire(Set<String> keep, Duration idle) throws Exception {
        List<String> retired = new ArrayList<>();
        Instant idleSince = clock.instant().minus(idle);
        for (Map.Entry<String, Instant> e : Map.copyOf(used).entrySet()) {
            if (keep.contains(e.getKey()) || e.getValue().isAfter(idleSince)) {
                continue;
            }
            String[] nameRevision = e.getKey().split("@", 2);
            String prefix = Endpoints.revisionRoutes(nameRevision[0], nameRevision[1]);
            for (Route r : List.copyOf(camel.getRoutes())) {
                if (r.getRouteId().startsWith(prefix)) {
                    camel.getRouteController().stopRoute(r.getRouteId());
                    camel.removeRoute(r.getRouteId());
                }
            }
            used.remove(e.getKey());
            retired.add(e.getKey());
        }
        return retired;
    }
}
