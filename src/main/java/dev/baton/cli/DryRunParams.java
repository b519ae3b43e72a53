package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.LoopStage;
import dev.baton.pipeline.ParamSpec;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.Stage;
import dev.baton.pipeline.expr.Expression;
import dev.baton.pipeline.expr.ExpressionException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What {@code dry-run} says of params: those the pipeline takes, and with given ones, what a run would see. */
final class DryRunParams {
    private DryRunParams() {}

    /** {@code topic (required), tone (default "neutral")}, or {@code none}. */
    static String declared(Pipeline p) {
        List<String> parts = new ArrayList<>();
        for (ParamSpec spec : p.params().values()) {
            parts.add(spec.name()
                    + (spec.required()
                            ? " (required)"
                            : spec.defaultValue() != null
                                    ? " (default " + Json.write(spec.defaultValue()) + ")"
                                    : " (optional)"));
        }
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }

    /**
     * The params a run would start with, then each condition that reads nothing but params, decided with them: the
     * others read outputs and are decided while the run goes.
     */
    static void print(Pipeline p, ObjectNode params, PrintWriter out) {
        out.println("run params: " + Json.write(params));
        conditions(p.stages(), "", params, out);
    }

    private static void conditions(List<Stage> stages, String prefix, ObjectNode params, PrintWriter out) {
        for (Stage s : stages) {
            String condition = s.base().condition();
            if (condition != null) {
                out.printf("  %-24s %s%n", prefix + s.name(), decide(condition, params));
            }
            if (s instanceof LoopStage loop) {
                conditions(loop.stages(), prefix + s.name() + "/", params, out);
            }
        }
    }

    private static String decide(String condition, ObjectNode params) {
        Expression e;
        try {
            e = Expression.compile(condition, Set.of("params"));
        } catch (ExpressionException notOnlyParams) {
            return "decided while the run goes: " + condition;
        }
        try {
            Map<String, JsonNode> values = Map.of("params", params);
            return e.test(values) ? "runs: " + condition : "SKIPPED: condition is false: " + condition;
        } catch (ExpressionException failed) {
            return "cannot be decided with these params (" + failed.getMessage() + "): " + condition;
        }
    }
}
