package dev.baton.agent.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Json;
import java.util.List;

/** Token usage a reply reports; counters that are null are not written. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"promptTokens", "completionTokens", "totalTokens"})
public record Usage(Long promptTokens, Long completionTokens, Long totalTokens) {
    /** The counters' names on the wire. */
    public static final List<String> FIELDS = List.of("promptTokens", "completionTokens", "totalTokens");

    /**
     * The usage in {@code json} when it is an object whose known counters are non-negative integers (others are
     * ignored) and it has at least one; else null.
     */
    public static Usage read(JsonNode json) {
        if (json == null || !json.isObject()) {
            return null;
        }
        Long[] v = new Long[FIELDS.size()];
        boolean any = false;
        for (int i = 0; i < v.length; i++) {
            JsonNode n = json.get(FIELDS.get(i));
            if (n != null && n.canConvertToLong() && n.isIntegralNumber() && n.asLong() >= 0) {
                v[i] = n.asLong();
                any = true;
            } else if (n != null && !n.isNull()) {
                return null;
            }
        }
        return any ? new Usage(v[0], v[1], v[2]) : null;
    }

    /** The sum of this and {@code other} (null: nothing more), counter by counter. */
    public Usage plus(Usage other) {
        if (other == null) {
            return this;
        }
        return new Usage(
                sum(promptTokens, other.promptTokens),
                sum(completionTokens, other.completionTokens),
                sum(totalTokens, other.totalTokens));
    }

    /** The usage as a JSON object of its counters. */
    public ObjectNode toObject() {
        return Json.MAPPER.valueToTree(this);
    }

    private static Long sum(Long a, Long b) {
        return a == null ? b : b == null ? a : a + b;
    }
}
