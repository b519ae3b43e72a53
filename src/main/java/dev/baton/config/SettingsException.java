package dev.baton.config;

import java.util.List;

/** Every problem found in the configuration, reported together. */
public class SettingsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public SettingsException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
