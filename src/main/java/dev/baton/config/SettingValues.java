package dev.baton.config;

import dev.baton.pipeline.Durations;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Reads typed values from the raw settings, collecting every problem instead of stopping at the first. */
record SettingValues(Map<String, String> raw, List<String> errors) {
    String str(String key, String def) {
        String v = raw.get(key);
        return v == null ? def : v;
    }

    boolean bool(String key, boolean def) {
        String v = raw.get(key);
        if (v == null || v.isBlank()) return def;
        if (v.trim().equals("true") || v.trim().equals("false")) return Boolean.parseBoolean(v.trim());
        errors.add(key + " must be true or false, not '" + v + "'");
        return def;
    }

    int positive(String key, int def) {
        String v = raw.get(key);
        if (v == null || v.isBlank()) return def;
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        errors.add(key + " must be a positive integer, not '" + v + "'");
        return def;
    }

    /** A positive duration such as {@code 2s} or {@code 500ms}. */
    Duration duration(String key, Duration def) {
        String v = raw.get(key);
        if (v == null || v.isBlank()) return def;
        try {
            Duration d = Durations.parse(v.trim());
            if (!d.isZero()) return d;
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        errors.add(key + " must be a positive duration such as 2s or 500ms, not '" + v + "'");
        return def;
    }

    /** A positive duration, or null when the key is absent, blank or {@code off}. */
    Duration durationOrOff(String key) {
        String v = raw.get(key);
        if (v == null || v.isBlank() || v.trim().equals("off")) return null;
        return duration(key, null);
    }

    int port(String key, int def) {
        String v = raw.get(key);
        if (v == null || v.isBlank()) return def;
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 0 && n <= 65535) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        errors.add(key + " must be a port number from 0 to 65535, not '" + v + "'");
        return def;
    }
}
