package dev.baton.ticket;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A run's running totals of tokens and cost, and their sums per pipeline. */
public final class UsageStore {
    /**
     * Tokens and cost spent.
     *
     * @param costUsd null when nothing spent was priced
     */
    public record Spent(long tokens, Double costUsd, long runs) {}

    /** Adds one reply's tokens (and their cost, when priced) to the run's totals; returns the new totals. */
    public Spent add(Connection c, String runId, long tokens, Double costUsd) throws SQLException {
        if (costUsd == null) {
            Sql.update(c, "UPDATE run SET tokens = tokens + ? WHERE id = ?", tokens, runId);
        } else {
            Sql.update(
                    c,
                    "UPDATE run SET tokens = tokens + ?, cost_usd = COALESCE(cost_usd, 0) + ? WHERE id = ?",
                    tokens,
                    costUsd,
                    runId);
        }
        return run(c, runId).orElseThrow();
    }

    public Optional<Spent> run(Connection c, String runId) throws SQLException {
        return Sql.one(
                c,
                "SELECT tokens, cost_usd FROM run WHERE id = ?",
                rs -> new Spent(rs.getLong(1), cost(rs.getDouble(2), rs.wasNull()), 1),
                runId);
    }

    /** Every pipeline that has runs, with what its runs spent in total. */
    public Map<String, Spent> byPipeline(Connection c) throws SQLException {
        Map<String, Spent> out = new LinkedHashMap<>();
        Sql.list(
                c,
                "SELECT pipeline, SUM(tokens), SUM(cost_usd), COUNT(*) FROM run GROUP BY pipeline ORDER BY pipeline",
                rs -> out.put(
                        rs.getString(1), new Spent(rs.getLong(2), cost(rs.getDouble(3), rs.wasNull()), rs.getLong(4))));
        return out;
    }

    private static Double cost(double value, boolean wasNull) {
        return wasNull ? null : value;
    }
}
