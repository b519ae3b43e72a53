package dev.baton.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Budget;
import dev.baton.pipeline.Json;
import dev.baton.ticket.UsageStore.Spent;

/**
 * Renders what runs spent: a run's tokens and cost with its budget, each stage's sum of its tickets' usage, and a
 * pipeline's totals over all its runs.
 */
final class UsageViews {
    private UsageViews() {}

    /** Adds {@code usage} (and {@code budget}, when the pipeline has one) to a run view and to each of its stages. */
    static ObjectNode addToRun(ObjectNode run, Spent spent, Budget budget) {
        run.set("usage", spent(spent, false));
        if (budget != null) {
            run.set("budget", budget(budget));
        }
        for (JsonNode stage : run.path("stages")) {
            ObjectNode sum = null;
            for (JsonNode ticket : stage.path("tickets")) {
                if (ticket.path("usage").isObject()) {
                    sum = sum == null ? Json.object() : sum;
                    add(sum, ticket.get("usage"));
                }
            }
            if (sum != null) {
                ((ObjectNode) stage).set("usage", sum);
            }
        }
        return run;
    }

    /** {@code {"tokens", "costUsd"}} (and {@code "runs"} for a pipeline); costUsd is null when nothing was priced. */
    static ObjectNode spent(Spent spent, boolean withRuns) {
        ObjectNode o = Json.object();
        if (withRuns) {
            o.put("runs", spent == null ? 0 : spent.runs());
        }
        o.put("tokens", spent == null ? 0 : spent.tokens());
        o.put("costUsd", spent == null ? null : spent.costUsd());
        return o;
    }

    static ObjectNode budget(Budget b) {
        return Json.object().put("tokens", b.tokens()).put("costUsd", b.costUsd());
    }

    private static void add(ObjectNode sum, JsonNode usage) {
        usage.properties().forEach(e -> {
            if (e.getValue().isIntegralNumber()) {
                sum.put(
                        e.getKey(),
                        sum.path(e.getKey()).asLong(0) + e.getValue().asLong());
            } else if (e.getValue().isNumber()) {
                sum.put(
                        e.getKey(),
                        sum.path(e.getKey()).asDouble(0) + e.getValue().asDouble());
            }
        });
    }
}
