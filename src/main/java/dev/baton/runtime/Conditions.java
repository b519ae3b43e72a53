package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.compile.Scope;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.Stage;
import dev.baton.pipeline.expr.ConditionVariables;
import dev.baton.pipeline.expr.Expression;
import dev.baton.pipeline.expr.ExpressionException;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Evaluates {@code condition} and {@code until} expressions (CEL, sandboxed) over a run: {@code params}, the
 * context's top-level fields, {@code outputs} by stage name, each stage's output under its own name when that is
 * an identifier, and {@code iteration} inside a loop.
 */
final class Conditions {
    /** The value, or the reason evaluation failed. */
    record Result(boolean value, String error) {}

    private final Map<String, Expression> compiled = new ConcurrentHashMap<>();

    Result test(Step s, Scope scope, String source) throws SQLException {
        Expression e;
        try {
            e = compiled(s.pipeline, source);
        } catch (ExpressionException ex) {
            return new Result(false, ex.getMessage());
        }
        try {
            return new Result(e.test(values(s, scope)), null);
        } catch (ExpressionException ex) {
            return new Result(false, ex.getMessage());
        }
    }

    private Expression compiled(Pipeline p, String source) throws ExpressionException {
        String key = p.revision() + "\n" + source;
        Expression e = compiled.get(key);
        if (e == null) {
            e = Expression.compile(source, ConditionVariables.of(p));
            compiled.put(key, e);
        }
        return e;
    }

    private static Map<String, JsonNode> values(Step s, Scope scope) throws SQLException {
        Map<String, JsonNode> values = new HashMap<>();
        ObjectNode outputs = Json.object();
        for (Scope sc = scope; sc != null; sc = sc.parent()) {
            for (Stage st : sc.stages()) {
                if (!outputs.has(st.name())) {
                    JsonNode out = s.stages.get(sc.qualified(st)).output();
                    outputs.set(st.name(), out);
                    values.put(st.name(), out);
                }
            }
        }
        values.put("outputs", outputs);
        for (Map.Entry<String, JsonNode> e : s.context().properties()) {
            values.put(e.getKey(), e.getValue());
        }
        values.put("params", s.run.params());
        if (scope.loop() != null) {
            values.put(
                    "iteration",
                    IntNode.valueOf(
                            s.stages.get(scope.parent().qualified(scope.loop())).iteration()));
        }
        return values;
    }
}
