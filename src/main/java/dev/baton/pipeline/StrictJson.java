package dev.baton.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The one JSON reader for every text that comes in (REST bodies, JMS submissions, decisions, replies, heartbeats) and
 * every text Baton reads back: exactly one JSON value, and nothing a lenient reader would silently change.
 *
 * <p>Jackson's own strict features refuse data after the value ({@code {"n":1} {"n":2}}), duplicate keys and
 * over-deep nesting. Jackson has no feature for the rest, checked here on the parsed tree: a number outside the range
 * of a double (Jackson makes {@code 1e400} Infinity, written back as the string {@code "Infinity"}, and
 * {@code 1e-400} 0.0), and a lone UTF-16 surrogate ({@code "\ud800"}, written back as {@code ?}).
 */
public final class StrictJson {
    private static final ObjectReader READER = Json.MAPPER
            .reader()
            .with(
                    DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
                    DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY,
                    // exact decimals, so that an overflow or underflow to a double can be told from a real 0 or max
                    DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
    private static final BigDecimal MAX = new BigDecimal(Double.MAX_VALUE);

    private StrictJson() {}

    /** @throws IllegalArgumentException naming what is wrong (and where) when the text is not exactly one JSON value */
    public static JsonNode parse(String text) {
        JsonNode root;
        try {
            root = READER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("invalid JSON: " + e.getOriginalMessage() + location(e), e);
        }
        if (root == null || root.isMissingNode()) {
            throw new IllegalArgumentException("invalid JSON: no value");
        }
        List<String> problems = new ArrayList<>();
        JsonNode checked = check(root, Where.TOP, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid JSON: " + String.join("; ", problems));
        }
        return checked;
    }

    /** The value, or null when the text is not exactly one valid JSON value (an agent's answer that may be prose). */
    public static JsonNode parseOrNull(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The bytes as UTF-8 text, refusing what a lenient decoder would replace with U+FFFD (invalid or overlong
     * sequences, encoded surrogates, a sequence cut short).
     *
     * @throws IllegalArgumentException naming the offset of the first bad byte
     */
    public static String utf8(byte[] bytes) {
        var in = java.nio.ByteBuffer.wrap(bytes);
        var out = java.nio.CharBuffer.allocate(bytes.length);
        var decoder = java.nio.charset.StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        var result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw new IllegalArgumentException("not valid UTF-8: byte 0x" + String.format("%02X", bytes[in.position()])
                    + " at offset " + in.position() + " does not belong to a UTF-8 sequence there");
        }
        return out.flip().toString();
    }

    private static String location(JsonProcessingException e) {
        var at = e.getLocation();
        return at == null || at.getLineNr() < 1 ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    }

    /**
     * The node with its exact decimals turned into doubles; what cannot be kept as read goes to {@code problems}. A
     * node's place is written out only for a problem: a large list is checked without a string per element.
     */
    private static JsonNode check(JsonNode node, Where where, List<String> problems) {
        if (node instanceof ObjectNode object) {
            // set() of a key already present is not a structural change of the object's map: the iteration goes on
            for (Map.Entry<String, JsonNode> e : object.properties()) {
                if (loneSurrogate(e.getKey())) {
                    problems.add("the key at " + pointer(new Where(where, e.getKey(), 0).path())
                            + " has a lone UTF-16 surrogate");
                }
                if (mayChange(e.getValue())) {
                    JsonNode checked = check(e.getValue(), new Where(where, e.getKey(), 0), problems);
                    if (checked != e.getValue()) {
                        e.setValue(checked);
                    }
                }
            }
            return object;
        }
        if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                JsonNode element = array.get(i);
                if (mayChange(element)) {
                    JsonNode checked = check(element, new Where(where, null, i), problems);
                    if (checked != element) {
                        array.set(i, checked);
                    }
                }
            }
            return array;
        }
        if (node.isTextual() && loneSurrogate(node.textValue())) {
            problems.add("the string at " + pointer(where.path()) + " has a lone UTF-16 surrogate");
        } else if (node.isBigDecimal()) {
            BigDecimal exact = node.decimalValue();
            double d = exact.doubleValue();
            if (Double.isInfinite(d) || d == 0.0 && exact.signum() != 0) {
                problems.add(outOfRange(exact.toString(), where.path()));
            }
            return DoubleNode.valueOf(d);
        } else if (node.isBigInteger()
                && new BigDecimal(node.bigIntegerValue()).abs().compareTo(MAX) > 0) {
            problems.add(outOfRange(node.bigIntegerValue().toString().length() + "-digit integer", where.path()));
        }
        return node;
    }

    /** Whether checking the node can find a problem or change it: plain ints, booleans and nulls are kept as read. */
    private static boolean mayChange(JsonNode node) {
        return node.isContainerNode() || node.isTextual() || node.isBigDecimal() || node.isBigInteger();
    }

    /** Where a node is: its parent's place and its key, or its index in an array when the key is null. */
    private record Where(Where parent, String key, int index) {
        static final Where TOP = new Where(null, null, 0);

        /** As {@code /a/0/b}; the top is the empty string. */
        String path() {
            return parent == null ? "" : parent.path() + "/" + (key == null ? Integer.toString(index) : key);
        }
    }

    private static String outOfRange(String number, String path) {
        return "number " + (number.length() > 40 ? number.substring(0, 40) + "…" : number) + " at " + pointer(path)
                + " is outside the range of a double (about ±1.8e308, smallest 4.9e-324)";
    }

    private static String pointer(String path) {
        return path.isEmpty() ? "the top" : path.length() > 200 ? path.substring(0, 200) + "…" : path;
    }

    /** A high surrogate not followed by a low one, or a low one not after a high one: not text in any encoding. */
    static boolean loneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return true;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }
}
