package dev.baton.pipeline;

/**
 * One broken rule in a pipeline file; its text is part of the public API and is asserted word for word.
 *
 * @param stage the stage the rule is about, or null for file-level rules
 */
public record Violation(Location location, String stage, String message) {
    public static Violation at(Location location, String message) {
        return new Violation(location, null, message);
    }

    public static Violation inStage(Location location, String stage, String message) {
        return new Violation(location, stage, message);
    }

    @Override
    public String toString() {
        return location + (stage == null ? " " : " stage '" + stage + "': ") + message;
    }
}
