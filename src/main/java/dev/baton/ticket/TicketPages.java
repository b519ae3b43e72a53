package dev.baton.ticket;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Json;
import dev.baton.ticket.Rows.HistoryRow;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bounded reads of a run's tickets and history for the views of a run: a page at a time in key order, or the first few
 * tickets of every stage with each stage's count, so that no view reads or renders a big run whole.
 */
public final class TicketPages {
    /** Ticket columns, then its token usage (null when its agent reported none). */
    private static final String COLS = TicketStore.TICKET_COLS + ", token_usage";

    private static final int USAGE_COLUMN = TicketStore.TICKET_COL_COUNT + 1;

    /** A ticket as a view shows it: its row and the token usage its agent reported, if any. */
    public record Shown(TicketRow row, JsonNode usage) {}

    /** Where a page of tickets starts: after this stage, iteration and item (the order of the ticket_slot index). */
    public record After(String stage, int iteration, int item) {}

    /** How many tickets each stage of the run has, by stage name. */
    public Map<String, Integer> counts(Connection c, String runId) throws SQLException {
        Map<String, Integer> out = new HashMap<>();
        Sql.list(
                c,
                "SELECT stage, COUNT(*) FROM ticket WHERE run_id = ? GROUP BY stage",
                rs -> out.put(rs.getString(1), rs.getInt(2)),
                runId);
        return out;
    }

    /** The first {@code perStage} tickets of every stage (by iteration, then item), grouped by stage in one read. */
    public Map<String, List<Shown>> firstOfEachStage(Connection c, String runId, int perStage) throws SQLException {
        Map<String, List<Shown>> out = new LinkedHashMap<>();
        if (perStage == 0) {
            return out;
        }
        Sql.list(
                        c,
                        // Numbered by their keys alone: the inputs and outputs of tickets not shown are never read.
                        "SELECT " + COLS + " FROM ticket WHERE id IN (SELECT id FROM (SELECT id, "
                                + "ROW_NUMBER() OVER (PARTITION BY stage ORDER BY iteration, item) AS n "
                                + "FROM ticket WHERE run_id = ?) t WHERE n <= ?) ORDER BY stage, iteration, item",
                        TicketPages::shown,
                        runId,
                        perStage)
                .forEach(s -> out.computeIfAbsent(s.row().stage(), k -> new java.util.ArrayList<>())
                        .add(s));
        return out;
    }

    /**
     * Up to {@code limit} tickets of the run (of one stage when {@code stage} is not null) that come after
     * {@code after} in (stage, iteration, item) order.
     */
    public List<Shown> page(Connection c, String runId, String stage, After after, int limit) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + COLS + " FROM ticket WHERE run_id = ?");
        List<Object> args = new java.util.ArrayList<>(List.of(runId));
        if (stage != null) {
            sql.append(" AND stage = ?");
            args.add(stage);
        }
        if (after != null) {
            sql.append(" AND (stage > ? OR (stage = ? AND (iteration > ? OR (iteration = ? AND item > ?))))");
            args.addAll(List.of(after.stage(), after.stage(), after.iteration(), after.iteration(), after.item()));
        }
        sql.append(" ORDER BY stage, iteration, item FETCH FIRST ")
                .append(limit)
                .append(" ROWS ONLY");
        return Sql.list(c, sql.toString(), TicketPages::shown, args.toArray());
    }

    /** Each stage's sum of its tickets' token usage (numeric fields added up), for stages with any. */
    public Map<String, ObjectNode> usageByStage(Connection c, String runId) throws SQLException {
        Map<String, ObjectNode> out = new HashMap<>();
        Sql.list(
                c,
                "SELECT stage, token_usage FROM ticket WHERE run_id = ? AND token_usage IS NOT NULL",
                rs -> {
                    add(out.computeIfAbsent(rs.getString(1), k -> Json.object()), Json.parse(rs.getString(2)));
                    return 1;
                },
                runId);
        return out;
    }

    /** Up to {@code limit} history rows of the run after {@code afterSeq}, in order. */
    public List<HistoryRow> history(Connection c, String runId, int afterSeq, int limit) throws SQLException {
        return Sql.list(
                c,
                "SELECT " + HistoryStore.HISTORY_COLS + " FROM ticket_history WHERE run_id = ? AND seq > ? "
                        + "ORDER BY seq FETCH FIRST " + limit + " ROWS ONLY",
                HistoryStore::historyRow,
                runId,
                afterSeq);
    }

    private static Shown shown(java.sql.ResultSet rs) throws SQLException {
        String usage = rs.getString(USAGE_COLUMN);
        return new Shown(TicketStore.ticketRow(rs), usage == null ? null : Json.parse(usage));
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
