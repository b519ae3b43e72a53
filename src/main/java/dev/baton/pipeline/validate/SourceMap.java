package dev.baton.pipeline.validate;

import dev.baton.pipeline.Location;
import java.util.HashMap;
import java.util.Map;

/**
 * Where each field of each stage was written, so a rule can point at the offending value instead of the whole stage.
 *
 * <p>Stages are identified by their index in their list of stages rather than their name, because a file with a
 * duplicate name must still point at the right one; the inner stages of a loop have a map of their own
 * ({@link #body}). Fields are named as in YAML ({@code agent}, {@code dynamic.input}); list entries add their index
 * ({@code dependsOn[1]}).
 */
public final class SourceMap {
    private final Map<String, Location> locations;
    private final String prefix;

    private SourceMap(Map<String, Location> locations, String prefix) {
        this.locations = locations;
        this.prefix = prefix;
    }

    public SourceMap() {
        this(new HashMap<>(), "");
    }

    /** A map with no entries: every rule falls back to the stage's own location. */
    public static SourceMap empty() {
        return new SourceMap();
    }

    /** The map of the stages inside stage {@code stage} (a loop's body); it shares this map's storage. */
    public SourceMap body(int stage) {
        return new SourceMap(locations, prefix + stage + ">");
    }

    public void put(int stage, String field, Location location) {
        locations.put(key(stage, field), location);
    }

    public void putEntry(int stage, String field, int entry, Location location) {
        put(stage, field + "[" + entry + "]", location);
    }

    public Location find(int stage, String field, Location fallback) {
        return locations.getOrDefault(key(stage, field), fallback);
    }

    public Location findEntry(int stage, String field, int entry, Location fallback) {
        return find(stage, field + "[" + entry + "]", fallback);
    }

    private String key(int stage, String field) {
        return prefix + stage + "/" + field;
    }
}
