package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.Option;
import com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider;
import com.jayway.jsonpath.spi.mapper.JacksonMappingProvider;
import dev.baton.pipeline.Json;

/** Reads stage inputs from, and writes stage outputs into, a run's JSON context ({@code params} + outputs). */
public final class RunContext {
    private static final Configuration JSONPATH = Configuration.builder()
            .jsonProvider(new JacksonJsonNodeJsonProvider(Json.MAPPER))
            .mappingProvider(new JacksonMappingProvider(Json.MAPPER))
            .options(Option.SUPPRESS_EXCEPTIONS)
            .build();

    private RunContext() {}

    public static ObjectNode initial(ObjectNode params) {
        ObjectNode ctx = Json.object();
        ctx.set("params", params);
        return ctx;
    }

    /** The value at a JSONPath, or JSON null when nothing is there. */
    public static JsonNode read(JsonNode context, String path) {
        JsonNode value = JsonPath.using(JSONPATH).parse(context.deepCopy()).read(path);
        return value == null ? NullNode.getInstance() : value;
    }

    /** Writes at a validated path of names ({@code $.a.b}), creating objects on the way. */
    public static void write(ObjectNode context, String path, JsonNode value) {
        String[] names = path.substring(2).split("\\.");
        ObjectNode node = context;
        for (int i = 0; i < names.length - 1; i++) {
            JsonNode next = node.get(names[i]);
            if (!(next instanceof ObjectNode)) {
                next = Json.object();
                node.set(names[i], next);
            }
            node = (ObjectNode) next;
        }
        node.set(names[names.length - 1], value == null ? NullNode.getInstance() : value);
    }
}
