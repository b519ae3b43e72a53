package dev.baton.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.baton.pipeline.Json;

/** Parses a whole text as one JSON value: {@code 42 is the answer} is not JSON, though a lenient reader takes 42. */
final class StrictJson {
    private static final ObjectReader READER = Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private StrictJson() {}

    /** The value, or null when the text is not exactly one JSON value. */
    static JsonNode parseOrNull(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return READER.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
