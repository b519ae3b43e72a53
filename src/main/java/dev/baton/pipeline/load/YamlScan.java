package dev.baton.pipeline.load;

import dev.baton.pipeline.Location;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.CollectionStartEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.ReaderException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.JsonSchema;

/**
 * A streaming pass over the YAML events before anything is composed: it finds tags, excessive nesting and alias
 * bombs with their exact position, and keeps the recursive composer away from input that could exhaust it.
 */
final class YamlScan {
    static final int MAX_DEPTH = 64;
    static final int MAX_ALIASES = 50;
    private static final String CORE_PREFIX = "tag:yaml.org,2002:";

    private YamlScan() {}

    /**
     * Reports every tag and, at the first offence, too deep nesting, too many aliases or a syntax error.
     *
     * @return the start indexes of the tagged nodes, or null when the text must not be composed
     */
    static Set<Integer> scan(String text, LoadSettings settings, Scope scope) {
        Set<Integer> tagged = new HashSet<>();
        Set<String> collectionAnchors = new HashSet<>();
        int depth = 0;
        int aliases = 0;
        try {
            for (Event event : new Parse(settings).parseString(text)) {
                switch (event.getEventId()) {
                    case SequenceStart, MappingStart -> {
                        if (++depth > MAX_DEPTH) {
                            scope.errorAt(at(scope, event), "nesting is deeper than " + MAX_DEPTH + " levels");
                            return null;
                        }
                        CollectionStartEvent start = (CollectionStartEvent) event;
                        start.getTag().ifPresent(tag -> tag(scope, event, tag, tagged));
                        anchor(start, collectionAnchors, true);
                    }
                    case SequenceEnd, MappingEnd -> depth--;
                    case Scalar -> {
                        ScalarEvent scalar = (ScalarEvent) event;
                        scalar.getTag().ifPresent(tag -> tag(scope, event, tag, tagged));
                        anchor(scalar, collectionAnchors, false);
                    }
                    case Alias -> {
                        // Only aliases of collections multiply the document; the composer limits the same ones.
                        String name = ((AliasEvent) event).getAlias().getValue();
                        if (collectionAnchors.contains(name) && ++aliases > MAX_ALIASES) {
                            scope.errorAt(
                                    at(scope, event),
                                    "more than " + MAX_ALIASES
                                            + " aliases of lists or mappings; this looks like an alias bomb");
                            return null;
                        }
                    }
                    default -> {}
                }
            }
        } catch (MarkedYamlEngineException e) {
            syntaxError(scope, e);
            return null;
        } catch (ReaderException e) {
            scope.errorAt(
                    locate(scope, text, e.getPosition()),
                    "YAML syntax error: " + e.getMessage() + " (code point 0x" + Integer.toHexString(e.getCodePoint())
                            + ")");
            return null;
        } catch (YamlEngineException e) {
            scope.errorAt(scope.start(), "YAML syntax error: " + e.getMessage());
            return null;
        }
        return tagged;
    }

    /** Reports a snakeyaml error at the mark it gives, keeping its problem text but not its snippet. */
    static void syntaxError(Scope scope, MarkedYamlEngineException e) {
        String problem = e.getProblem();
        // The composer splits some sentences between context and problem ("expected a single document ...").
        if (e.getContext() != null && problem.startsWith("but ")) {
            problem = e.getContext() + " " + problem;
        }
        var mark = e.getProblemMark().or(e::getContextMark);
        scope.errorAt(mark.map(scope::locate).orElse(scope.start()), "YAML syntax error: " + problem);
    }

    /** Reads nodes that carried a tag as if it had not been written, since the tag was already reported. */
    static void untag(Node root, Set<Integer> tagged) {
        if (!tagged.isEmpty()) {
            untag(root, tagged, Collections.newSetFromMap(new IdentityHashMap<>()));
        }
    }

    /**
     * Whether the top-level mapping says {@code kind: Pipeline}; reads only as far as the {@code kind} key and never
     * throws.
     */
    static boolean declaresPipeline(String text, LoadSettings settings) {
        try {
            Iterator<Event> events = new Parse(settings).parseString(text).iterator();
            Event event = events.next();
            while (!(event instanceof NodeEvent) && events.hasNext()) {
                event = events.next();
            }
            if (event.getEventId() != Event.ID.MappingStart) {
                return false;
            }
            while (events.hasNext()) {
                Event key = events.next();
                if (key.getEventId() == Event.ID.MappingEnd) {
                    return false;
                }
                String name = key instanceof ScalarEvent s ? s.getValue() : "";
                skip(key, events);
                Event value = events.next();
                String scalar = value instanceof ScalarEvent v ? v.getValue() : "";
                // A Baton apiVersion makes the file Baton's even with a wrong kind: the loader then says what is
                // wrong, instead of Camel loading no routes from it without a word.
                if ((name.equals("kind") && scalar.equals("Pipeline"))
                        || (name.equals("apiVersion")
                                && (scalar.startsWith("baton/") || scalar.startsWith("orchestra.io/")))) {
                    return true;
                }
                skip(value, events);
            }
            return false;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static void skip(Event first, Iterator<Event> events) {
        int depth = first instanceof CollectionStartEvent ? 1 : 0;
        while (depth > 0) {
            Event e = events.next();
            if (e instanceof CollectionStartEvent) {
                depth++;
            } else if (e.getEventId() == Event.ID.MappingEnd || e.getEventId() == Event.ID.SequenceEnd) {
                depth--;
            }
        }
    }

    private static void tag(Scope scope, Event event, String tag, Set<Integer> tagged) {
        String written = tag.startsWith(CORE_PREFIX) ? "!!" + tag.substring(CORE_PREFIX.length()) : tag;
        scope.errorAt(at(scope, event), "tags are not allowed ('" + written + "')");
        event.getStartMark().ifPresent(mark -> tagged.add(mark.getIndex()));
    }

    private static void anchor(NodeEvent event, Set<String> collectionAnchors, boolean collection) {
        event.getAnchor().ifPresent(anchor -> {
            if (collection) {
                collectionAnchors.add(anchor.getValue());
            } else {
                collectionAnchors.remove(anchor.getValue());
            }
        });
    }

    private static void untag(Node node, Set<Integer> tagged, Set<Node> seen) {
        if (!seen.add(node)) {
            return;
        }
        boolean wasTagged =
                node.getStartMark().map(m -> tagged.contains(m.getIndex())).orElse(false);
        if (node instanceof ScalarNode scalar) {
            if (wasTagged) {
                node.setTag(new JsonSchema().getScalarResolver().resolve(scalar.getValue(), scalar.isPlain()));
            }
        } else if (node instanceof SequenceNode list) {
            if (wasTagged) {
                node.setTag(Tag.SEQ);
            }
            list.getValue().forEach(entry -> untag(entry, tagged, seen));
        } else if (node instanceof MappingNode map) {
            if (wasTagged) {
                node.setTag(Tag.MAP);
            }
            for (NodeTuple entry : map.getValue()) {
                untag(entry.getKeyNode(), tagged, seen);
                untag(entry.getValueNode(), tagged, seen);
            }
        }
    }

    private static Location at(Scope scope, Event event) {
        return event.getStartMark().map(scope::locate).orElse(scope.start());
    }

    private static Location locate(Scope scope, String text, int codePoint) {
        int end = text.offsetByCodePoints(0, Math.min(codePoint, text.codePointCount(0, text.length())));
        int line = 1;
        int column = 1;
        for (int i = 0; i < end; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new Location(scope.start().file(), line, column);
    }
}
