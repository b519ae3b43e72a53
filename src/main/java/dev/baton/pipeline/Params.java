package dev.baton.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Checks the params a run is started with against the pipeline's declared params and fills in defaults. */
public final class Params {
    private Params() {}

    /**
     * The params a run will see, in declaration order, and every problem with what was given.
     *
     * @param params declared params only: given values, else defaults; a required param that is missing is absent
     * @param problems empty when the run may start
     */
    public record Resolution(ObjectNode params, List<String> problems) {
        public Resolution {
            problems = List.copyOf(problems);
        }

        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /**
     * Resolves {@code given} (a JSON object; null, JSON null or missing mean no params) against {@code pipeline}.
     * A param given as JSON null counts as not given, so it falls back to its default.
     */
    public static Resolution resolve(Pipeline pipeline, JsonNode given) {
        return resolve(pipeline.params(), given);
    }

    /** {@link #resolve(Pipeline, JsonNode)} against declared params alone, for a pipeline still being read. */
    public static Resolution resolve(Map<String, ParamSpec> declared, JsonNode given) {
        List<String> problems = new ArrayList<>();
        ObjectNode supplied = JsonNodeFactory.instance.objectNode();
        if (given != null && !given.isNull() && !given.isMissingNode()) {
            if (given.isObject()) {
                supplied = (ObjectNode) given;
            } else {
                problems.add("params must be a JSON object, not " + kind(given));
            }
        }
        for (Iterator<String> names = supplied.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!declared.containsKey(name)) {
                problems.add(unknown(name, declared));
            }
        }
        ObjectNode resolved = JsonNodeFactory.instance.objectNode();
        for (ParamSpec spec : declared.values()) {
            JsonNode value = supplied.get(spec.name());
            if (value != null && !value.isNull()) {
                resolved.set(spec.name(), value.deepCopy());
            } else if (spec.required()) {
                problems.add("missing required param '" + spec.name() + "'");
            } else if (spec.defaultValue() != null) {
                resolved.set(spec.name(), spec.defaultValue().deepCopy());
            }
        }
        return new Resolution(resolved, problems);
    }

    private static String unknown(String name, Map<String, ParamSpec> declared) {
        if (declared.isEmpty()) {
            return "unknown param '" + name + "'; this pipeline declares no params";
        }
        return "unknown param '" + name + "'; declared params are "
                + String.join(", ", new TreeSet<>(declared.keySet()));
    }

    private static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            default -> node.getNodeType().name().toLowerCase();
        };
    }
}
