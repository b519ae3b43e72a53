package dev.baton.pipeline.load;

import dev.baton.pipeline.Durations;
import dev.baton.pipeline.StoreLimits;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * The keys of one YAML mapping, read as typed values; every value that does not fit is reported and read as absent,
 * so the rest of the file is still checked.
 */
final class Fields {
    private final Scope scope;
    private final MappingNode node;
    private final Map<String, NodeTuple> entries = new LinkedHashMap<>();

    Fields(Scope scope, MappingNode node) {
        this.scope = scope;
        this.node = node;
        for (NodeTuple entry : node.getValue()) {
            Node key = entry.getKeyNode();
            if (!(key instanceof ScalarNode scalar)) {
                scope.mappingError(key, "keys must be plain strings, not " + kind(key));
            } else if (entries.putIfAbsent(scalar.getValue(), entry) != null) {
                // The first value wins and the second is not read, so it cannot add follow-on noise.
                scope.mappingError(key, "duplicate key '" + scalar.getValue() + "'");
            }
        }
    }

    /** Reports keys outside {@code known}; those in {@code notYet} belong to the format but are not run yet. */
    Fields allow(Set<String> known, Set<String> notYet) {
        for (Map.Entry<String, NodeTuple> entry : entries.entrySet()) {
            String key = entry.getKey();
            Node at = entry.getValue().getKeyNode();
            if (notYet.contains(key)) {
                scope.mappingError(at, "'" + key + "' is not supported yet");
            } else if (!known.contains(key)) {
                String expected = String.join(", ", new TreeSet<>(known));
                scope.mappingError(at, "unknown field '" + key + "'; expected one of " + expected);
            }
        }
        return this;
    }

    Set<String> keys() {
        return entries.keySet();
    }

    MappingNode node() {
        return node;
    }

    boolean has(String key) {
        return entries.containsKey(key);
    }

    /** The value as written, or null when the key is absent. */
    Node raw(String key) {
        NodeTuple entry = entries.get(key);
        return entry == null ? null : entry.getValueNode();
    }

    Node keyNode(String key) {
        return entries.get(key).getKeyNode();
    }

    /** The value, or null when the key is absent or its value is YAML null, which means the same here. */
    Node value(String key) {
        Node value = raw(key);
        return value == null || isNull(value) ? null : value;
    }

    String text(String key) {
        Node value = value(key);
        if (value == null) {
            return null;
        }
        if (value instanceof ScalarNode scalar) {
            return scalar.getValue();
        }
        scope.error(value, scope.field(key) + " must be a string, not " + kind(value));
        return null;
    }

    String requiredText(String key) {
        String text = text(key);
        if (value(key) == null) {
            scope.missing(node, key);
        }
        return text;
    }

    Integer integer(String key, long min, long max, String rule) {
        Node value = value(key);
        if (value == null) {
            return null;
        }
        if (value instanceof ScalarNode scalar && Tag.INT.equals(scalar.getTag())) {
            BigInteger n = new BigInteger(scalar.getValue());
            if (n.compareTo(BigInteger.valueOf(min)) >= 0 && n.compareTo(BigInteger.valueOf(max)) <= 0) {
                return n.intValueExact();
            }
        }
        scope.error(value, scope.field(key) + " " + rule);
        return null;
    }

    /** A number from 0 to 1, such as {@code 0.2}; integers 0 and 1 count too. */
    Double fraction(String key) {
        Node value = value(key);
        if (value == null) {
            return null;
        }
        if (value instanceof ScalarNode scalar
                && (Tag.INT.equals(scalar.getTag()) || Tag.FLOAT.equals(scalar.getTag()))) {
            try {
                double d = Double.parseDouble(scalar.getValue());
                if (d >= 0 && d <= 1) {
                    return d;
                }
            } catch (NumberFormatException e) {
                // .inf, .nan and hex forms: reported below like any other value out of range
            }
        }
        scope.error(value, scope.field(key) + " must be a number from 0 to 1");
        return null;
    }

    Boolean bool(String key) {
        Node value = value(key);
        if (value == null) {
            return null;
        }
        if (value instanceof ScalarNode scalar && Tag.BOOL.equals(scalar.getTag())) {
            return Boolean.parseBoolean(scalar.getValue());
        }
        scope.error(value, scope.field(key) + " must be true or false");
        return null;
    }

    Duration duration(String key, boolean positive) {
        Node value = value(key);
        if (value == null) {
            return null;
        }
        String like = scope.field(key) + " must be a duration like 30s, 5m or 1h, not ";
        if (!(value instanceof ScalarNode scalar)) {
            scope.error(value, like + kind(value));
            return null;
        }
        try {
            Duration d = Durations.parse(scalar.getValue());
            if (positive && d.isZero()) {
                scope.error(value, scope.field(key) + " must be longer than zero");
                return null;
            }
            if (d.compareTo(StoreLimits.MAX_DURATION) > 0) {
                scope.error(
                        value,
                        scope.field(key) + " (" + scalar.getValue() + ") must not be longer than "
                                + Durations.format(StoreLimits.MAX_DURATION));
                return null;
            }
            return d;
        } catch (IllegalArgumentException e) {
            scope.error(value, like + "'" + scalar.getValue() + "'");
            return null;
        }
    }

    /** A list of plain strings; a single string is read as a list of one. */
    List<ScalarNode> names(String key, String rule) {
        Node value = value(key);
        List<ScalarNode> names = new ArrayList<>();
        if (value instanceof ScalarNode scalar) {
            names.add(scalar);
        } else if (value instanceof SequenceNode list) {
            for (Node entry : list.getValue()) {
                if (entry instanceof ScalarNode scalar && !isNull(scalar)) {
                    names.add(scalar);
                } else {
                    scope.error(entry, scope.field(key) + " " + rule);
                }
            }
        } else if (value != null) {
            scope.error(value, scope.field(key) + " " + rule);
        }
        return names;
    }

    /** A nested mapping, or null (reported with {@code rule}) when the value is something else. */
    MappingNode mapping(String key, String rule) {
        Node value = value(key);
        if (value == null || value instanceof MappingNode) {
            return (MappingNode) value;
        }
        scope.error(value, scope.field(key) + " " + rule);
        return null;
    }

    static boolean isNull(Node node) {
        return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
    }

    static String kind(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        if (Tag.INT.equals(node.getTag()) || Tag.FLOAT.equals(node.getTag())) {
            return "a number";
        }
        if (Tag.BOOL.equals(node.getTag())) {
            return "a boolean";
        }
        return "'" + ((ScalarNode) node).getValue() + "'";
    }
}
