package dev.baton.agent;

import dev.baton.pipeline.Location;
import java.util.HashMap;
import java.util.Map;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Where each key and value of a YAML mapping tree starts, by dotted path ({@code agents.writer.model}), so that
 * registry errors can say {@code file:line:column}.
 */
final class YamlPositions {
    private final String file;
    private final Map<String, Location> keys = new HashMap<>();
    private final Map<String, Location> values = new HashMap<>();

    private YamlPositions(String file) {
        this.file = file;
    }

    /** The positions in {@code text}; the text has been loaded once already, so it composes. */
    static YamlPositions of(String file, String text, LoadSettings settings) {
        YamlPositions p = new YamlPositions(file);
        new Compose(settings).composeString(text).ifPresent(root -> p.walk("", root));
        return p;
    }

    /** No positions: every problem is placed at the file's start (for entries that were checked before). */
    static YamlPositions none(String file) {
        return new YamlPositions(file);
    }

    private void walk(String path, Node node) {
        if (node instanceof SequenceNode seq) {
            // list items by index: tools.0.command
            for (int i = 0; i < seq.getValue().size(); i++) {
                Node item = seq.getValue().get(i);
                keys.put(path + "." + i, at(item));
                values.put(path + "." + i, at(item));
                walk(path + "." + i, item);
            }
            return;
        }
        if (!(node instanceof MappingNode m)) {
            return;
        }
        for (NodeTuple t : m.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k) {
                String child = path.isEmpty() ? k.getValue() : path + "." + k.getValue();
                keys.put(child, at(k));
                values.put(child, at(t.getValueNode()));
                walk(child, t.getValueNode());
            }
        }
    }

    private Location at(Node n) {
        Mark mark = n.getStartMark().orElse(null);
        return mark == null ? Location.of(file) : new Location(file, mark.getLine() + 1, mark.getColumn() + 1);
    }

    /** Where the key at {@code path} is; the file's start when unknown. */
    Location key(String path) {
        return keys.getOrDefault(path, Location.of(file));
    }

    /** Where the value at {@code path} is; its key's place when unknown. */
    Location value(String path) {
        return values.getOrDefault(path, key(path));
    }
}
