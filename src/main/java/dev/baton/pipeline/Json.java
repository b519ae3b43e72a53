package dev.baton.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The one JSON mapper of the process and the few conversions everybody needs. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private Json() {}

    /**
     * Exactly one JSON value, read strictly ({@link StrictJson}).
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static JsonNode parse(String text) {
        if (text == null) {
            return NullNode.getInstance();
        }
        return StrictJson.parse(text);
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** JSON text with object keys sorted at every level, so that equal values give equal text. */
    public static String canonical(JsonNode node) {
        try {
            return CANONICAL.writeValueAsString(MAPPER.convertValue(node, Object.class));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Lowercase hex SHA-256 of the text's UTF-8 bytes. */
    public static String sha256(String text) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                            .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }
}
