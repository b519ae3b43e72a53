package dev.baton.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Iterator;
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
        return substitute(template.deepCopy(), roots);
    }

    /** A rendered string: every placeholder becomes text. */
    public static String renderText(String template, Function<String, JsonNode> roots) {
        JsonNode v = substitute(new TextNode(template), roots);
        return v.isTextual() ? v.asText() : Json.write(v);
    }

    private static JsonNode substitute(JsonNode node, Function<String, JsonNode> roots) {
        if (node.isTextual()) {
            String text = node.asText();
            Matcher whole = PLACEHOLDER.matcher(text);
            if (whole.matches()) {
                return value(whole.group(0), whole.group(1), whole.group(2), roots); // keeps the JSON type
            }
            Matcher m = PLACEHOLDER.matcher(text);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                JsonNode v = value(m.group(0), m.group(1), m.group(2), roots);
                m.appendReplacement(sb, Matcher.quoteReplacement(v.isTextual() ? v.asText() : Json.write(v)));
            }
            m.appendTail(sb);
            return new TextNode(sb.toString());
        }
        if (node instanceof ObjectNode o) {
            Iterator<Map.Entry<String, JsonNode>> it = o.fields();
            while (it.hasNext()) {
                var e = it.next();
                e.setValue(substitute(e.getValue(), roots));
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                a.set(i, substitute(a.get(i), roots));
            }
        }
        return node;
    }

    private static JsonNode value(String placeholder, String root, String path, Function<String, JsonNode> roots) {
        JsonNode base = roots.apply(root);
        if (base == null) {
            return new TextNode(placeholder);
        }
        if (path != null) {
            for (String part : path.split("\\.")) {
                base = base.path(part);
            }
        }
        return base.isMissingNode() ? NullNode.getInstance() : base;
    }
}
