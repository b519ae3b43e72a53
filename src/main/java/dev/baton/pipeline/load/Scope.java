package dev.baton.pipeline.load;

import dev.baton.pipeline.Location;
import dev.baton.pipeline.Violation;
import java.util.List;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Where the reader is in the document, so that each violation names what people look for: the stage, or the field
 * path from the top of the file.
 *
 * <p>Inside a stage, {@code path} is relative to the stage ({@code retry}) and fields are quoted
 * ({@code 'retry.maxAttempts'}); outside, it is absolute ({@code spec.params.topic}) and fields are not.
 */
final class Scope {
    private final String file;
    private final String stage;
    private final String path;
    private final List<Violation> out;

    private Scope(String file, String stage, String path, List<Violation> out) {
        this.file = file;
        this.stage = stage;
        this.path = path;
        this.out = out;
    }

    static Scope root(String file, List<Violation> out) {
        return new Scope(file, null, "", out);
    }

    /** How many violations the file has so far, to tell whether a part read cleanly. */
    int count() {
        return out.size();
    }

    Scope child(String key) {
        return new Scope(file, stage, join(path, key), out);
    }

    /** The scope of a stage; without a usable name the stage is named by its place in the list instead. */
    Scope stage(String name, String fallbackPath) {
        return name == null ? new Scope(file, null, fallbackPath, out) : new Scope(file, name, "", out);
    }

    String path() {
        return path;
    }

    /** How messages name {@code key} of the current mapping. */
    String field(String key) {
        return stage == null ? join(path, key) : "'" + join(path, key) + "'";
    }

    /** Reports {@code message} as is; the stage, if any, is prefixed by {@link Violation}. */
    void error(Node at, String message) {
        errorAt(locate(at), message);
    }

    void errorAt(Location at, String message) {
        out.add(stage == null ? Violation.at(at, message) : Violation.inStage(at, stage, message));
    }

    /** Reports a problem with the current mapping itself, prefixed by its path ({@code metadata: ...}). */
    void mappingError(Node at, String message) {
        error(at, path.isEmpty() ? message : path + ": " + message);
    }

    void missing(Node mapping, String key) {
        if (stage == null) {
            error(mapping, join(path, key) + " is required");
        } else if (path.isEmpty()) {
            error(mapping, "stage needs '" + key + "'");
        } else {
            error(mapping, "'" + path + "' needs '" + key + "'");
        }
    }

    Location locate(Node node) {
        return node.getStartMark().map(this::locate).orElse(start());
    }

    /** The top of the file, for problems that have no better place. */
    Location start() {
        return Location.of(file);
    }

    Location locate(Mark mark) {
        return new Location(file, mark.getLine() + 1, mark.getColumn() + 1);
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }
}
