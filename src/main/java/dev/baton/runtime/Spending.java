package dev.baton.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Budget;
import dev.baton.pipeline.TokenPrice;
import dev.baton.ticket.RunStatus;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.TicketRow;
import dev.baton.ticket.UsageStore;
import java.sql.SQLException;
import java.util.Locale;

/**
 * Adds the tokens a reply reports to its ticket, its run and the metrics, and says when that took a running run past
 * its pipeline's {@code spec.budget} — in the reply's own transaction, so no ticket is dispatched after the reply
 * that crossed the budget.
 */
final class Spending {
    /** Far below a cent, far above the rounding error of summing a run's costs. */
    private static final double COST_EPSILON = 1e-9;

    private final RunStore store;
    private final UsageStore usage = new UsageStore();
    private final TokenPrices prices;
    private final RunMetrics metrics;

    Spending(RunStore store, TokenPrices prices, RunMetrics metrics) {
        this.store = store;
        this.prices = prices;
        this.metrics = metrics;
    }

    /**
     * Records the reply's usage; returns why the run must stop (its budget is spent, or a cost budget meets tokens
     * nobody priced), or null.
     */
    String record(Step s, TicketRow t, ObjectNode reported) throws SQLException {
        TokenPrice price = t.agent() == null
                ? null
                : prices.of(t.agent(), s.pipeline.agents().get(t.agent())).orElse(null);
        TokenUsage u = TokenUsage.of(reported, null);
        Double cost = price == null ? null : price.cost(u.prompt(), u.completion(), u.total());
        u = new TokenUsage(u.prompt(), u.completion(), u.total(), cost);
        store.ticketRows().addUsage(s.c, t.id(), reported, cost);
        UsageStore.Spent spent = usage.add(s.c, s.run.id(), u.total(), cost);
        metrics.tokens(s.pipeline.name(), t.stage(), t.agent(), u);
        Budget budget = s.pipeline.budget();
        if (budget == null || s.status != RunStatus.RUNNING) {
            return null; // compensation spends what it must
        }
        String where =
                " (the last reply: stage '" + t.stage() + "', agent '" + t.agent() + "', " + u.total() + " tokens)";
        if (budget.tokens() != null && spent.tokens() > budget.tokens()) {
            return "token budget exceeded: the run used " + spent.tokens() + " tokens, more than spec.budget.tokens "
                    + budget.tokens() + where;
        }
        if (budget.costUsd() != null && u.total() > 0 && cost == null) {
            return "cost budget cannot be kept: agent '" + t.agent() + "' reported " + u.total() + " tokens, but "
                    + "config/agents.yaml prices lists neither its model nor the agent";
        }
        // Costs are sums of doubles: 0.1 + 0.1 + 0.1 must not exceed a budget of 0.3.
        if (budget.costUsd() != null && spent.costUsd() != null && spent.costUsd() > budget.costUsd() + COST_EPSILON) {
            return "cost budget exceeded: the run's tokens cost " + dollars(spent.costUsd())
                    + ", more than spec.budget.costUsd " + dollars(budget.costUsd()) + where;
        }
        return null;
    }

    static String dollars(double usd) {
        return String.format(Locale.ROOT, "$%.6f", usd).replaceAll("0+$", "").replaceAll("\\.$", ".00");
    }
}
