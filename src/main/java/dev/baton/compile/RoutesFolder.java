package dev.baton.compile;

import dev.baton.pipeline.AgentCatalog;
import dev.baton.pipeline.Location;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.Violation;
import dev.baton.pipeline.load.LoadResult;
import dev.baton.pipeline.load.PipelineLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps what runs in step with the {@code routes/} folder: pipeline files go to the {@link PipelineRegistry}
 * (validated first; a broken file leaves the previous good version serving), plain Camel YAML files are loaded as
 * Camel routes. Deleted files are unloaded.
 */
public final class RoutesFolder {
    private static final Logger LOG = LoggerFactory.getLogger(RoutesFolder.class);

    /** Told about every pipeline that became live or was unloaded, to start its routes and agents or remove them. */
    public interface Listener {
        void loaded(Pipeline pipeline) throws Exception;

        void unloaded(String pipeline) throws Exception;
    }

    /** What was last seen in one file. */
    public record FileState(String hash, String pipeline, Set<String> routeIds, List<Violation> violations) {}

    private final Path dir;
    private final PipelineRegistry registry;
    private final AgentCatalog agents;
    private final CamelContext camel;
    private final Listener listener;
    private final int maxStages;
    private final Map<Path, FileState> files = new LinkedHashMap<>();

    public RoutesFolder(
            Path dir, PipelineRegistry registry, AgentCatalog agents, CamelContext camel, Listener listener) {
        this(dir, registry, agents, camel, listener, dev.baton.pipeline.StoreLimits.DEFAULT_MAX_STAGES);
    }

    /** @param maxStages stages a pipeline file may have, inner loop stages included ({@code baton.pipelines.max-stages}) */
    public RoutesFolder(
            Path dir,
            PipelineRegistry registry,
            AgentCatalog agents,
            CamelContext camel,
            Listener listener,
            int maxStages) {
        this.maxStages = maxStages;
        this.dir = dir;
        this.registry = registry;
        this.agents = agents;
        this.camel = camel;
        this.listener = listener;
    }

    public synchronized void scan() {
        Set<Path> present;
        try (Stream<Path> list = Files.isDirectory(dir) ? Files.list(dir) : Stream.empty()) {
            present = new java.util.TreeSet<>(list.filter(RoutesFolder::isYaml).toList());
        } catch (IOException e) {
            LOG.warn("cannot list {}: {}", dir, e.getMessage());
            return;
        }
        // Deleted files first, so that a renamed file is not refused as a second definition of its pipeline.
        for (Path gone :
                files.keySet().stream().filter(f -> !present.contains(f)).toList()) {
            unload(gone, files.remove(gone));
        }
        for (Path file : present) {
            try {
                byte[] bytes = Files.readAllBytes(file);
                String text = decode(bytes);
                if (text == null) {
                    // Not silently skipped: the file is listed as invalid and the version already running keeps going.
                    String hash = dev.baton.pipeline.Json.sha256(
                            java.util.HexFormat.of().formatHex(bytes));
                    FileState old = files.get(file);
                    if (old == null || !old.hash().equals(hash)) {
                        Violation v = Violation.at(new Location(display(file), 1, 1), "the file is not valid UTF-8");
                        LOG.error("{} not loaded: {}", display(file), v);
                        files.put(file, keepOld(old, hash, List.of(v)));
                    }
                    continue;
                }
                if (text.isBlank()) {
                    continue; // an editor may show a new file empty before writing it
                }
                String hash = dev.baton.pipeline.Json.sha256(text);
                FileState old = files.get(file);
                if (old == null || !old.hash().equals(hash)) {
                    files.put(file, load(file, text, hash, old));
                }
            } catch (IOException e) {
                LOG.warn("cannot read {}: {}", file, e.getMessage());
            }
        }
    }

    /** The text of a file, or null when it is not UTF-8. */
    private static String decode(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }

    /**
     * Makes the next {@link #scan} read every pipeline file again as if it had been edited, because what it may name
     * changed (the agent registry was reloaded): one that no longer validates keeps its previous version serving.
     */
    public synchronized void revalidate() {
        files.replaceAll(
                (f, s) -> s.routeIds().isEmpty() ? new FileState("", s.pipeline(), s.routeIds(), s.violations()) : s);
    }

    /** Files whose last version did not load, with their violations. */
    public synchronized Map<String, List<Violation>> invalid() {
        Map<String, List<Violation>> out = new LinkedHashMap<>();
        files.forEach((f, s) -> {
            if (!s.violations().isEmpty()) out.put(display(f), s.violations());
        });
        return out;
    }

    private FileState load(Path file, String text, String hash, FileState old) {
        String shown = display(file);
        if (!PipelineLoader.isPipeline(text)) {
            FileState routes = loadCamelRoutes(file, text, hash, old);
            if (old != null && old.pipeline() != null) {
                if (!routes.violations().isEmpty()) {
                    // A pipeline file broken into something that is not even a Camel route: the pipeline keeps serving.
                    return keepOld(old, hash, routes.violations());
                }
                unloadPipeline(old.pipeline()); // the file was a pipeline and is a Camel route now
            }
            return routes;
        }
        LoadResult result = PipelineLoader.read(text, shown, agents, maxStages);
        Pipeline p = result.pipeline();
        if (p != null) {
            String owner = files.entrySet().stream()
                    .filter(e -> !e.getKey().equals(file)
                            && p.name().equals(e.getValue().pipeline()))
                    .map(e -> display(e.getKey()))
                    .findFirst()
                    .orElse(null);
            if (owner != null) {
                Violation v = Violation.at(
                        new Location(shown, 1, 1), "metadata.name '" + p.name() + "' is already defined by " + owner);
                LOG.error("{} not loaded: {}", shown, v);
                return keepOld(old, hash, List.of(v));
            }
        }
        if (p == null) {
            result.violations().forEach(v -> LOG.error("{}", v));
            LOG.error(
                    "{} not loaded ({} problem(s)){}",
                    shown,
                    result.violations().size(),
                    old != null && old.pipeline() != null
                            ? "; the previous version of '" + old.pipeline() + "' keeps serving"
                            : "");
            return keepOld(old, hash, result.violations());
        }
        if (old != null && old.pipeline() != null && !old.pipeline().equals(p.name())) {
            unloadPipeline(old.pipeline());
        }
        if (old != null) {
            removeRoutes(old.routeIds()); // the file held plain Camel routes before
        }
        result.warnings()
                .forEach(w -> LOG.warn(
                        "{} warning: {}{}",
                        w.location(),
                        w.stage() == null ? "" : "stage '" + w.stage() + "': ",
                        w.message()));
        registry.put(p);
        try {
            listener.loaded(p);
        } catch (Exception e) {
            LOG.error(
                    "{}: pipeline '{}' loaded but its agents could not be started: {}",
                    shown,
                    p.name(),
                    e.getMessage());
        }
        LOG.info(
                "{}: pipeline '{}' is live (revision {})",
                shown,
                p.name(),
                p.revision().substring(0, 12));
        return new FileState(hash, p.name(), Set.of(), List.of());
    }

    private static FileState keepOld(FileState old, String hash, List<Violation> violations) {
        return new FileState(
                hash, old == null ? null : old.pipeline(), old == null ? Set.of() : old.routeIds(), violations);
    }

    private FileState loadCamelRoutes(Path file, String text, String hash, FileState old) {
        try {
            if (old != null) {
                removeRoutes(old.routeIds());
            }
            var resource = ResourceHelper.fromString("file:" + file.toAbsolutePath(), text);
            Set<String> ids = PluginHelper.getRoutesLoader(camel).updateRoutes(resource);
            LOG.info("{}: Camel routes {} loaded", display(file), ids);
            return new FileState(hash, null, Set.copyOf(ids), List.of());
        } catch (Exception e) {
            LOG.error("{}: Camel routes not loaded: {}", display(file), e.getMessage());
            Violation v = Violation.at(
                    new Location(display(file), 1, 1), "Camel routes could not be loaded: " + e.getMessage());
            return new FileState(hash, null, Set.of(), List.of(v));
        }
    }

    private void unload(Path file, FileState state) {
        if (state.pipeline() != null) {
            unloadPipeline(state.pipeline());
            LOG.info(
                    "{} deleted: pipeline '{}' unloaded (running runs finish on their revision)",
                    display(file),
                    state.pipeline());
        }
        removeRoutes(state.routeIds());
    }

    private void unloadPipeline(String name) {
        registry.remove(name);
        try {
            listener.unloaded(name);
        } catch (Exception e) {
            LOG.error("pipeline '{}' unloaded but its routes could not be removed: {}", name, e.getMessage());
        }
    }

    private void removeRoutes(Set<String> ids) {
        for (String id : ids) {
            try {
                camel.getRouteController().stopRoute(id);
                camel.removeRoute(id);
            } catch (Exception e) {
                LOG.warn("route {} could not be removed: {}", id, e.getMessage());
            }
        }
    }

    private String display(Path file) {
        return dir.resolve(file.getFileName()).toString();
    }

    private static boolean isYaml(Path p) {
        String n = p.getFileName().toString();
        return Files.isRegularFile(p) && (n.endsWith(".yaml") || n.endsWith(".yml"));
    }
}
