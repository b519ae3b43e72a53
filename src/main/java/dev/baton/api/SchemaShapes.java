package dev.baton.api;

import io.swagger.v3.oas.models.media.JsonSchema;
import io.swagger.v3.oas.models.media.Schema;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;

/** Short builders of JSON Schema (2020-12) nodes, so that each schema of the API reads like the body it describes. */
final class SchemaShapes {
    private SchemaShapes() {}

    /** A closed object schema to add properties to. */
    static Obj obj() {
        return new Obj();
    }

    /** A schema of the given JSON types. */
    static JsonSchema type(String... types) {
        JsonSchema s = new JsonSchema();
        s.setTypes(new LinkedHashSet<>(Arrays.asList(types)));
        return s;
    }

    static Schema<?> str() {
        return type("string");
    }

    static Schema<?> integer() {
        return type("integer");
    }

    static Schema<?> bool() {
        return type("boolean");
    }

    /** Any JSON value. */
    static Schema<?> any() {
        return new JsonSchema();
    }

    /** The type or null; for a string, optionally one of {@code values}. */
    static Schema<?> nullable(String type, String... values) {
        JsonSchema s = type(type, "null");
        if (values.length > 0) {
            List<Object> allowed = new java.util.ArrayList<>(Arrays.asList(values));
            allowed.add(null);
            s.setEnum(allowed);
        }
        return s;
    }

    /** An ISO-8601 instant, or null when {@code orNull}. */
    static Schema<?> time(boolean orNull) {
        JsonSchema s = orNull ? type("string", "null") : type("string");
        s.setFormat("date-time");
        return s;
    }

    static Schema<?> enumOf(String... values) {
        JsonSchema s = type("string");
        s.setEnum(Arrays.asList((Object[]) values));
        return s;
    }

    static Schema<?> array(Schema<?> items) {
        JsonSchema s = type("array");
        s.setItems(items);
        return s;
    }

    static Schema<?> ref(String component) {
        JsonSchema s = new JsonSchema();
        s.set$ref("#/components/schemas/" + component);
        return s;
    }

    /** An object schema under construction: closed unless {@link #open()}. */
    static final class Obj {
        private final JsonSchema schema = type("object");

        private Obj() {
            schema.setAdditionalProperties(Boolean.FALSE);
        }

        Obj req(String name, Schema<?> type) {
            schema.addProperty(name, type);
            schema.addRequiredItem(name);
            return this;
        }

        Obj opt(String name, Schema<?> type) {
            schema.addProperty(name, type);
            return this;
        }

        /** Takes fields it does not list (params, problem extensions). */
        Obj open() {
            schema.setAdditionalProperties(null);
            return this;
        }

        Schema<?> doc(String description) {
            schema.setDescription(description);
            return schema;
        }

        Schema<?> build() {
            return schema;
        }
    }
}
