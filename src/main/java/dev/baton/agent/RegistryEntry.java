package dev.baton.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.pipeline.Durations;
import dev.baton.pipeline.Location;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * One agent's entry in {@code agents.yaml} while it is read: its options, where each one is, and the error list
 * every problem is added to, as {@code file:line:column agent 'name': message}.
 */
final class RegistryEntry {
    /** Where the entry's problems go. */
    @FunctionalInterface
    interface Problems {
        void add(Location at, String message);
    }

    final String name;
    final JsonNode node;
    private final String path;
    private final YamlPositions positions;
    private final Problems problems;

    RegistryEntry(String name, String path, JsonNode node, YamlPositions positions, List<String> errors) {
        this(name, path, node, positions, (at, message) -> errors.add(at + " " + message));
    }

    RegistryEntry(String name, String path, JsonNode node, YamlPositions positions, Problems problems) {
        this.name = name;
        this.path = path;
        this.node = node;
        this.positions = positions;
        this.problems = problems;
    }

    /** The entry's nested mapping at {@code relative} (e.g. {@code tools.0}), read the same way, errors in the same list. */
    RegistryEntry child(String relative, JsonNode child) {
        return new RegistryEntry(name, path + "." + relative, child, positions, problems);
    }

    private String who() {
        return name == null ? "default agent" : "agent '" + name + "'";
    }

    /** A problem with the value of option {@code field}. */
    void error(String field, String message) {
        problems.add(positions.value(path + "." + field), who() + ": " + message);
    }

    /** A problem with the entry as a whole (e.g. a required option is missing). */
    void error(String message) {
        problems.add(positions.key(path), who() + ": " + message);
    }

    /** Reports every option that is neither common to all kinds nor one of {@code kindOptions}. */
    void onlyOptions(String kind, Set<String> common, Set<String> kindOptions) {
        node.fieldNames().forEachRemaining(f -> {
            if (!common.contains(f) && !kindOptions.contains(f)) {
                problems.add(
                        positions.key(path + "." + f),
                        who() + ": option '" + f + "' is unknown for kind " + kind
                                + (kindOptions.isEmpty()
                                        ? "; it takes only " + String.join(", ", new java.util.TreeSet<>(common))
                                        : "; use one of " + String.join(", ", new java.util.TreeSet<>(kindOptions))));
            }
        });
    }

    /** A required non-blank string option; null (and an error) when it is missing. */
    String requiredText(String field, String kind) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            error(field + " is required for kind " + kind);
            return null;
        }
        return text(field);
    }

    /** An optional string option; null when absent or not a non-blank string (then with an error). */
    String text(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            error(field, field + " must be a non-blank string");
            return null;
        }
        return v.asText();
    }

    /** An optional duration ({@code 30s}, {@code 2m}); {@code dflt} when absent or bad (then with an error). */
    Duration duration(String field, Duration dflt) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        try {
            Duration d = Durations.parse(v.asText());
            if (d.isZero() || d.isNegative()) {
                error(field, field + " must be positive");
                return dflt;
            }
            return d;
        } catch (IllegalArgumentException e) {
            error(field, field + ": " + e.getMessage());
            return dflt;
        }
    }

    /** An optional integer option within [min, max]; null when absent or bad (then with an error). */
    Integer integer(String field, int min, int max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || v.asLong() < min || v.asLong() > max) {
            error(
                    field,
                    field + " must be an integer "
                            + (max == Integer.MAX_VALUE ? "of at least " + min : "from " + min + " to " + max)
                            + ", not " + v);
            return null;
        }
        return v.asInt();
    }

    /** An optional number option within [min, max]; null when absent or bad (then with an error). */
    Double number(String field, double min, double max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber() || v.asDouble() < min || v.asDouble() > max) {
            error(field, field + " must be a number from " + min + " to " + max + ", not " + v);
            return null;
        }
        return v.asDouble();
    }

    /** An http(s) URL option; reports a missing or malformed one. */
    java.net.URI httpUrl(String field, String kind) {
        String s = requiredText(field, kind);
        if (s == null) {
            return null;
        }
        try {
            java.net.URI u = new java.net.URI(s);
            if (!("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme()))
                    || u.getHost() == null) {
                error(field, field + " must be an http or https URL with a host, not '" + s + "'");
                return null;
            }
            return u;
        } catch (java.net.URISyntaxException e) {
            error(field, field + " is not a URL: " + e.getMessage());
            return null;
        }
    }
}
