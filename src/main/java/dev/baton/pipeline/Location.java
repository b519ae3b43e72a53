package dev.baton.pipeline;

/** A position in a pipeline file, 1-based, as people and editors count it. */
public record Location(String file, int line, int column) {
    public static Location of(String file) {
        return new Location(file, 1, 1);
    }

    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
