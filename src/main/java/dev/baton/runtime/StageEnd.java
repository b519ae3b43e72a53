package dev.baton.runtime;

/**
 * What a stage's {@code done} route is told: which stage ended, and whether it failed (with why).
 *
 * @param qualified the stage's qualified name ({@code loop/inner} inside a loop)
 * @param error why it failed, or null when it succeeded or was skipped
 */
record StageEnd(String qualified, String name, String error) {
    boolean failed() {
        return error != null;
    }
}
