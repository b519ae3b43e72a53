package dev.baton.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.pipeline.TokenPrice;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code prices} of {@code config/agents.yaml}: US dollars per million tokens, by model name (an llm agent's
 * {@code model}) or, for agents that name no model, by agent name.
 */
final class PriceTable {
    private static final Set<String> FIELDS = Set.of("inputPerMillion", "outputPerMillion");

    private PriceTable() {}

    /** The prices by model (or agent) name; every problem is added to {@code errors} with its line and column. */
    static Map<String, TokenPrice> read(JsonNode prices, YamlPositions positions, List<String> errors) {
        Map<String, TokenPrice> out = new LinkedHashMap<>();
        if (prices == null || prices.isNull()) {
            return out;
        }
        if (!prices.isObject()) {
            errors.add(positions.value("prices") + " prices: must be a mapping of model names to "
                    + "{inputPerMillion: 0.15, outputPerMillion: 0.6}");
            return out;
        }
        prices.properties().forEach(e -> {
            String path = "prices." + e.getKey();
            JsonNode n = e.getValue();
            if (!n.isObject()) {
                errors.add(positions.value(path) + " prices." + e.getKey()
                        + ": must be a mapping like {inputPerMillion: 0.15, outputPerMillion: 0.6}");
                return;
            }
            n.fieldNames().forEachRemaining(f -> {
                if (!FIELDS.contains(f)) {
                    errors.add(positions.key(path + "." + f) + " prices." + e.getKey() + ": unknown field '" + f
                            + "'; expected inputPerMillion, outputPerMillion");
                }
            });
            Double in = number(n, path, "inputPerMillion", positions, errors);
            Double outPrice = number(n, path, "outputPerMillion", positions, errors);
            if (in != null && outPrice != null) {
                out.put(e.getKey(), new TokenPrice(in, outPrice));
            }
        });
        return out;
    }

    private static Double number(JsonNode n, String path, String field, YamlPositions positions, List<String> errors) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            errors.add(positions.key(path) + " " + path + ": " + field + " is required (US dollars per million "
                    + "tokens)");
            return null;
        }
        if (!v.isNumber() || v.asDouble() < 0 || !Double.isFinite(v.asDouble())) {
            errors.add(positions.value(path + "." + field) + " " + path + "." + field
                    + ": must be a number of US dollars of at least 0, not " + v);
            return null;
        }
        return v.asDouble();
    }
}
