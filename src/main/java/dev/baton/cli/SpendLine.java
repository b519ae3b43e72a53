package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;

/** The line {@code status} shows for what a run spent: its tokens and cost, each against its budget if it has one. */
final class SpendLine {
    private SpendLine() {}

    /** {@code tokens 76 of 50 (budget)  cost $0.14 of $0.1 (budget)}; null when the run spent nothing and has no budget. */
    static String of(JsonNode run) {
        JsonNode usage = run.path("usage");
        JsonNode budget = run.path("budget");
        long tokens = usage.path("tokens").asLong(0);
        if (tokens == 0 && !budget.isObject()) {
            return null;
        }
        StringBuilder line = new StringBuilder("  tokens ").append(tokens);
        if (budget.hasNonNull("tokens")) {
            line.append(" of ").append(budget.get("tokens").asLong()).append(" (budget)");
        }
        if (usage.hasNonNull("costUsd") || budget.hasNonNull("costUsd")) {
            line.append("  cost ").append(usage.hasNonNull("costUsd") ? dollars(usage.get("costUsd")) : "unpriced");
            if (budget.hasNonNull("costUsd")) {
                line.append(" of ").append(dollars(budget.get("costUsd"))).append(" (budget)");
            }
        }
        return line.toString();
    }

    /** The tokens of one stage, as {@code  tokens 38}; blank when its tickets reported none. */
    static String stage(JsonNode stage) {
        JsonNode u = stage.path("usage");
        if (!u.isObject()) {
            return "";
        }
        long total = u.hasNonNull("totalTokens")
                ? u.get("totalTokens").asLong()
                : u.path("promptTokens").asLong(0) + u.path("completionTokens").asLong(0);
        return "tokens " + total + " ";
    }

    private static String dollars(JsonNode n) {
        // six decimals are a millionth of a dollar, finer than any price per token
        return "$"
                + new BigDecimal(n.asText())
                        .setScale(6, java.math.RoundingMode.HALF_UP)
                        .stripTrailingZeros()
                        .toPlainString();
    }
}
