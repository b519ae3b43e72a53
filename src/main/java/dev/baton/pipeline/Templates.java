package dev.baton.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Substitutes {@code {{ name }}} and {@code {{ name.a.b }}} placeholders in JSON values: a string that is exactly
 * one placeholder becomes the JSON value itself; placeholders inside longer strings become text. Nothing is
 * evaluated: a placeholder is a name and a path of field names, looked up in the values given.
 */
public final class Templates {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([a-zA-Z]+)(?:\\.([A-Za-z0-9_.-]+))?\\s*}}");

    private Templates() {}

    /**
     * A rendered copy of {@code template}.
     *
     * @param roots the value of each root name; null for a name it does not know (the placeholder is kept)
     */
    public static JsonNode render(JsonNode template, Function<String, JsonNode> roots) {
        return substitute(template.deepCopy(), roots, null);
    }

    /**
     * A rendered copy of {@code template} in which every placeholder has a value.
     *
     * @throws IllegalArgumentException naming each placeholder whose name is unknown or whose path is absent
     */
    public static JsonNode renderStrictly(JsonNode template, Function<String, JsonNode> roots) {
        List<String> missing = new ArrayList<>();
        JsonNode out = substitute(template.deepCopy(), roots, missing);
        if (!missing.isEmpty()) {
            missing = List.copyOf(new java.util.LinkedHashSet<>(missing));
            throw new IllegalArgumentException(String.join(", ", missing) + " " + (missing.size() == 1 ? "has" : "have")
                    + " no value in this ticket");
        }
        return out;
    }

    /** A placeholder as written: {@code {{ item.id }}} is text {@code {{ item.id }}}, root {@code item}, path {@code id}. */
    public record Placeholder(String text, String root, String path) {}

    /** Every placeholder in the text. */
    public static List<Placeholder> placeholders(String text) {
        List<Placeholder> out = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            out.add(new Placeholder(m.group(0), m.group(1), m.group(2)));
        }
        return out;
    }

    /** A rendered string: every placeholder becomes text. */
    public static String renderText(String template, Function<String, JsonNode> roots) {
        JsonNode v = substitute(new TextNode(template), roots, null);
        return v.isTextual() ? v.asText() : Json.write(v);
    }

    /** @param missing where placeholders without a value go, or null to render them as null (kept if unknown) */
    private static JsonNode substitute(JsonNode node, Function<String, JsonNode> roots, List<String> missing) {
        if (node.isTextual()) {
            String text = node.asText();
            Matcher whole = PLACEHOLDER.matcher(text);
            if (whole.matches()) {
                return value(whole.group(0), whole.group(1), whole.group(2), roots, missing); // keeps the JSON type
            }
            Matcher m = PLACEHOLDER.matcher(text);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                JsonNode v = value(m.group(0), m.group(1), m.group(2), roots, missing);
                m.appendReplacement(sb, Matcher.quoteReplacement(v.isTextual() ? v.asText() : Json.write(v)));
            }
            m.appendTail(sb);
            return new TextNode(sb.toString());
        }
        if (node instanceof ObjectNode o) {
            for (Map.Entry<String, JsonNode> e : o.properties()) {
                e.setValue(substitute(e.getValue(), roots, missing));
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                a.set(i, substitute(a.get(i), roots, missing));
            }
        }
        return node;
    }

    private static JsonNode value(
            String placeholder, String root, String path, Function<String, JsonNode> roots, List<String> missing) {
        JsonNode base = roots.apply(root);
        if (base == null) {
            if (missing != null) {
                missing.add(placeholder);
            }
            return new TextNode(placeholder);
        }
        if (path != null) {
            for (String part : path.split("\\.")) {
                base = base.path(part);
            }
        }
        if (base.isMissingNode() && missing != null) {
            missing.add(placeholder);
        }
        return base.isMissingNode() ? NullNode.getInstance() : base;
    }
}
