package dev.baton.compile;

import dev.baton.pipeline.AgentCatalog;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.load.LoadResult;
import dev.baton.pipeline.load.PipelineLoader;
import dev.baton.ticket.RunStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pipelines currently loaded from {@code routes/} by name, and every revision a run may be pinned to (kept in
 * the database, parsed once and cached).
 */
public final class PipelineRegistry implements PipelineCatalog {
    private final Map<String, Pipeline> current = new ConcurrentHashMap<>();
    private final Map<String, Pipeline> revisions = new ConcurrentHashMap<>();
    private final Set<String> stored = ConcurrentHashMap.newKeySet();
    private final RunStore store;
    private final Clock clock;

    public PipelineRegistry(RunStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public Optional<Pipeline> current(String name) {
        return Optional.ofNullable(current.get(name));
    }

    public Collection<Pipeline> all() {
        return new TreeMap<>(current).values();
    }

    void put(Pipeline p) {
        current.put(p.name(), p);
        revisions.put(key(p.name(), p.revision()), p);
    }

    void remove(String name) {
        current.remove(name);
    }

    @Override
    public Pipeline pinned(Connection c, String pipeline, String revision) throws SQLException {
        Pipeline cached = revisions.get(key(pipeline, revision));
        if (cached != null) {
            return cached;
        }
        String source = store.revisionRows()
                .pipelineSource(c, pipeline, revision)
                .orElseThrow(
                        () -> new IllegalStateException("revision " + revision + " of " + pipeline + " is not stored"));
        // No stage limit: a revision already runs, and a lower baton.pipelines.max-stages must not strand its runs.
        LoadResult loaded = PipelineLoader.read(
                source, pipeline + "@" + revision.substring(0, 12), AgentCatalog.any(), Integer.MAX_VALUE);
        if (loaded.pipeline() == null) {
            throw new IllegalStateException(
                    "stored revision " + revision + " of " + pipeline + " no longer loads: " + loaded.violations());
        }
        revisions.put(key(pipeline, revision), loaded.pipeline());
        return loaded.pipeline();
    }

    @Override
    public void remember(Connection c, Pipeline p) throws SQLException {
        if (!stored.contains(key(p.name(), p.revision()))) {
            store.revisionRows().savePipelineRevision(c, p.name(), p.revision(), p.file(), p.source(), clock.instant());
            stored.add(key(p.name(), p.revision()));
        }
    }

    private static String key(String name, String revision) {
        return name + "@" + revision;
    }

    /** The names of the loaded pipelines, for messages. */
    public List<String> names() {
        return List.copyOf(new TreeMap<>(current).keySet());
    }
}
