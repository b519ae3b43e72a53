package dev.baton.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Budget;
import dev.baton.pipeline.Json;
import dev.baton.ticket.UsageStore.Spent;

/**
 * Renders what runs spent: a run's tokens and cost with its budget, and a pipeline's totals over all its runs.
 */
final class UsageViews {
    private UsageViews() {}

    /** Adds {@code usage} (and {@code budget}, when the pipeline has one) to a run view. */
    static ObjectNode addToRun(ObjectNode run, Spent spent, Budget budget) {
        run.set("usage", spent(spent, false));
        if (budget != null) {
            run.set("budget", budget(budget));
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
}
