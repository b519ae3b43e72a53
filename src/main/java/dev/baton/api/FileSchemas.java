package dev.baton.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The JSON Schemas of Baton's files as the jar carries them ({@code schema/*.schema.json}, the same files as
 * {@code src/main/resources/schema/} in the repository), served under {@code /api/schema/}.
 */
enum FileSchemas {
    PIPELINE("schema/pipeline.schema.json"),
    AGENTS("schema/agents.schema.json");

    private final String resource;
    private volatile String text;

    FileSchemas(String resource) {
        this.resource = resource;
    }

    /** The schema's text, read from the class path once. */
    String text() {
        String t = text;
        if (t == null) {
            try (InputStream in = FileSchemas.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException(resource + " is missing from the class path");
                }
                t = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            text = t;
        }
        return t;
    }
}
