package dev.baton.pipeline.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Turns a free-form YAML value (a param default) into JSON, refusing what JSON cannot hold: self-references, keys
 * that are not strings, duplicate keys, and aliases that expand past a sane size.
 */
final class JsonValues {
    static final int MAX_VALUES = 100_000;
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final Scope scope;
    private final Node root;
    private final Set<Node> inProgress = Collections.newSetFromMap(new IdentityHashMap<>());
    private int values;
    private boolean failed;

    private JsonValues(Scope scope, Node root) {
        this.scope = scope;
        this.root = root;
    }

    /** The JSON form of {@code node}, or null after reporting why it has none; {@code scope} names the value. */
    static JsonNode convert(Node node, Scope scope) {
        JsonValues converter = new JsonValues(scope, node);
        JsonNode json = converter.value(node, scope.path());
        return converter.failed ? null : json;
    }

    private JsonNode value(Node node, String path) {
        if (failed) {
            return null;
        }
        if (++values > MAX_VALUES) {
            // Deep inside an expansion the path is meaningless; the value as written is what to fix.
            fail(root, scope.path() + " expands to more than " + MAX_VALUES + " values");
            return null;
        }
        if (node instanceof ScalarNode scalar) {
            return scalar(scalar);
        }
        // Aliases may share a node legitimately; only a node that contains itself has no JSON form.
        if (!inProgress.add(node)) {
            fail(node, path + " refers to itself");
            return null;
        }
        try {
            return node instanceof SequenceNode list ? array(list, path) : object((MappingNode) node, path);
        } finally {
            inProgress.remove(node);
        }
    }

    private ArrayNode array(SequenceNode list, String path) {
        ArrayNode array = JSON.arrayNode();
        for (int i = 0; i < list.getValue().size(); i++) {
            array.add(value(list.getValue().get(i), path + "[" + i + "]"));
        }
        return array;
    }

    private ObjectNode object(MappingNode map, String path) {
        ObjectNode object = JSON.objectNode();
        Set<String> seen = new HashSet<>();
        for (NodeTuple entry : map.getValue()) {
            if (!(entry.getKeyNode() instanceof ScalarNode key)) {
                fail(entry.getKeyNode(), path + ": keys must be plain strings, not " + Fields.kind(entry.getKeyNode()));
                return object;
            }
            if (!seen.add(key.getValue())) {
                fail(key, path + ": duplicate key '" + key.getValue() + "'");
                return object;
            }
            object.set(key.getValue(), value(entry.getValueNode(), path + "." + key.getValue()));
        }
        return object;
    }

    private static JsonNode scalar(ScalarNode scalar) {
        String text = scalar.getValue();
        Tag tag = scalar.getTag();
        if (Tag.NULL.equals(tag)) {
            return JSON.nullNode();
        }
        if (Tag.BOOL.equals(tag)) {
            return JSON.booleanNode(Boolean.parseBoolean(text));
        }
        if (Tag.INT.equals(tag)) {
            BigInteger n = new BigInteger(text);
            return n.bitLength() < 32
                    ? JSON.numberNode(n.intValue())
                    : n.bitLength() < 64 ? JSON.numberNode(n.longValue()) : JSON.numberNode(n);
        }
        if (Tag.FLOAT.equals(tag)) {
            return JSON.numberNode(Double.parseDouble(text));
        }
        return JSON.textNode(text);
    }

    private void fail(Node at, String message) {
        if (!failed) {
            failed = true;
            scope.error(at, message);
        }
    }
}
