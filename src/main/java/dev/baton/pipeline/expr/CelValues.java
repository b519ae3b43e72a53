package dev.baton.pipeline.expr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.google.common.primitives.UnsignedLong;
import dev.baton.pipeline.Json;
import dev.cel.common.values.CelByteString;
import dev.cel.common.values.NullValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Converts Jackson JSON to the plain Java values CEL evaluates over, and names the CEL type of a result. */
final class CelValues {
    private CelValues() {}

    /** Java null and a missing node both become CEL null, so "absent" and "null" compare alike in conditions. */
    static Object of(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return NullValue.NULL_VALUE;
        }
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                map.put(field.getKey(), of(field.getValue()));
            }
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            for (JsonNode element : node) {
                list.add(of(element));
            }
            return list;
        }
        if (node.isIntegralNumber()) {
            // An integer beyond 64 bits still compares sensibly as a double; CEL has no big integers.
            return node.canConvertToLong() ? (Object) node.longValue() : (Object) node.doubleValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBinary()) {
            try {
                return CelByteString.of(node.binaryValue());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (node instanceof POJONode pojo) {
            // Only trees built in code hold POJOs; give CEL the JSON they would serialize to.
            return of(Json.MAPPER.valueToTree(pojo.getPojo()));
        }
        return node.asText();
    }

    /** The CEL name of a runtime value's type, as a condition's author would write it. */
    static String typeName(Object value) {
        if (value == null || value instanceof NullValue) {
            return "null";
        } else if (value instanceof Boolean) {
            return "bool";
        } else if (value instanceof Long || value instanceof Integer) {
            return "int";
        } else if (value instanceof UnsignedLong) {
            return "uint";
        } else if (value instanceof Double || value instanceof Float) {
            return "double";
        } else if (value instanceof String) {
            return "string";
        } else if (value instanceof CelByteString) {
            return "bytes";
        } else if (value instanceof Map) {
            return "map";
        } else if (value instanceof List) {
            return "list";
        } else if (value instanceof java.time.Instant) {
            return "timestamp";
        } else if (value instanceof java.time.Duration) {
            return "duration";
        }
        return value.getClass().getSimpleName();
    }
}
