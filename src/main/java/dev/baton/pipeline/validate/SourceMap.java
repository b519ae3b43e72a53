package dev.baton.pipeline.validate;

import dev.baton.pipeline.Location;
import java.util.HashMap;
import java.util.Map;

/**
 * Where each field of each stage was written, so a rule can point at the offending value instead of the whole stage.
 *
 * <p>Stages are identified by their index in {@code Pipeline.stages()} rather than their name, because a file with a
 * duplicate name must still point at the right one. Fields are named as in YAML ({@code agent}, {@code input}); list
 * entries add their index ({@code dependsOn[1]}).
 */
public final class SourceMap {
    private final Map<String, Location> locations = new HashMap<>();

    /** A map with no entries: every rule falls back to the stage's own location. */
    public static SourceMap empty() {
        return new SourceMap();
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

    private static String key(int stage, String field) {
        return stage + "/" + field;
    }
}
