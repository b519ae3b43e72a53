package dev.baton.ticket;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Json;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads and writes tickets (one row per attempt series of a stage, item or compensation) and their token usage; every method works inside the caller's transaction. */
public final class TicketStore {
    static final String TICKET_COLS = "id, run_id, stage, iteration, item, label, attempt, base_attempt, agent, "
            + "status, input, output, error, lease_until, created_at, updated_at, queued_at, running_at";
    /** The number of {@link #TICKET_COLS}. */
    static final int TICKET_COL_COUNT = TICKET_COLS.split(",").length;

    private static final String INSERT = Sql.insert("ticket", TICKET_COLS);

    /** The most tickets whose run this store remembers: the tickets in flight, with room to spare. */
    static final int REMEMBERED = 65_536;

    /**
     * The run of tickets this store inserted or looked up, most recently used kept: a ticket never changes run, so an
     * entry is never wrong, and the reply to a ticket finds its run (the lane it is applied in) without a read.
     */
    private final Map<String, String> runs = Collections.synchronizedMap(new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED;
        }
    });

    public void insertTicket(Connection c, TicketRow t) throws SQLException {
        Sql.update(c, INSERT, ticketArgs(t));
        Tx.afterCommit(() -> runs.put(t.id(), t.runId()));
    }

    /** Inserts many tickets in one JDBC batch (a for_each creates one row per item up front). */
    public void insertTickets(Connection c, List<TicketRow> tickets) throws SQLException {
        List<Object[]> rows = new ArrayList<>(tickets.size());
        for (TicketRow t : tickets) {
            rows.add(ticketArgs(t));
        }
        Sql.batch(c, INSERT, rows);
        Tx.afterCommit(() -> tickets.forEach(t -> runs.put(t.id(), t.runId())));
    }

    private static Object[] ticketArgs(TicketRow t) {
        return new Object[] {
            t.id(),
            t.runId(),
            t.stage(),
            t.iteration(),
            t.item(),
            t.label(),
            t.attempt(),
            t.baseAttempt(),
            t.agent(),
            t.status().name(),
            RunStore.jsonOrNull(t.input()),
            RunStore.jsonOrNull(t.output()),
            t.error(),
            t.leaseUntil(),
            t.createdAt(),
            t.updatedAt(),
            t.queuedAt(),
            t.runningAt()
        };
    }

    public void updateTicket(Connection c, TicketRow t) throws SQLException {
        Sql.update(
                c,
                "UPDATE ticket SET attempt = ?, base_attempt = ?, agent = ?, status = ?, input = ?, output = ?, "
                        + "error = ?, lease_until = ?, updated_at = ?, label = ?, queued_at = ?, running_at = ? "
                        + "WHERE id = ?",
                t.attempt(),
                t.baseAttempt(),
                t.agent(),
                t.status().name(),
                RunStore.jsonOrNull(t.input()),
                RunStore.jsonOrNull(t.output()),
                t.error(),
                t.leaseUntil(),
                t.updatedAt(),
                t.label(),
                t.queuedAt(),
                t.runningAt(),
                t.id());
    }

    /**
     * Adds an agent's reported token usage to the ticket's total (counters a reply leaves out add nothing), and
     * their cost in US dollars as {@code costUsd} when it is known.
     */
    public void addUsage(Connection c, String ticketId, ObjectNode usage, Double costUsd) throws SQLException {
        List<String> rows = Sql.list(c, "SELECT token_usage FROM ticket WHERE id = ?", rs -> rs.getString(1), ticketId);
        String before = rows.isEmpty() ? null : rows.get(0);
        ObjectNode sum = before == null ? Json.object() : (ObjectNode) Json.parse(before);
        usage.properties()
                .forEach(e -> sum.put(
                        e.getKey(),
                        sum.path(e.getKey()).asLong(0) + e.getValue().asLong()));
        if (costUsd != null) {
            sum.put("costUsd", sum.path("costUsd").asDouble(0) + costUsd);
        }
        Sql.update(c, "UPDATE ticket SET token_usage = ? WHERE id = ?", Json.write(sum), ticketId);
    }

    /** The token usage of a run's tickets that reported any, by ticket id. */
    public java.util.Map<String, JsonNode> usages(Connection c, String runId) throws SQLException {
        java.util.Map<String, JsonNode> out = new java.util.HashMap<>();
        Sql.list(
                c,
                "SELECT id, token_usage FROM ticket WHERE run_id = ? AND token_usage IS NOT NULL",
                rs -> out.put(rs.getString(1), Json.parse(rs.getString(2))),
                runId);
        return out;
    }

    public Optional<TicketRow> ticket(Connection c, String id) throws SQLException {
        return Sql.one(c, "SELECT " + TICKET_COLS + " FROM ticket WHERE id = ?", TicketStore::ticketRow, id);
    }

    /** The run a ticket belongs to. */
    public Optional<String> runOfTicket(Connection c, String ticketId) throws SQLException {
        Optional<String> known = rememberedRun(ticketId);
        if (known.isPresent()) {
            return known;
        }
        Optional<String> run = Sql.one(c, "SELECT run_id FROM ticket WHERE id = ?", rs -> rs.getString(1), ticketId);
        run.ifPresent(r -> runs.put(ticketId, r));
        return run;
    }

    /**
     * The run of a ticket this store inserted or looked up recently, without reading the database: empty when it does
     * not remember (a ticket of another instance, or one inserted before a restart).
     */
    public Optional<String> rememberedRun(String ticketId) {
        return Optional.ofNullable(runs.get(ticketId));
    }

    public List<TicketRow> tickets(Connection c, String runId) throws SQLException {
        return Sql.list(
                c,
                "SELECT " + TICKET_COLS + " FROM ticket WHERE run_id = ? "
                        + "ORDER BY created_at, stage, iteration, item",
                TicketStore::ticketRow,
                runId);
    }

    /** The tickets of one iteration of one stage, in item order (compensation first, as item -1). */
    public List<TicketRow> tickets(Connection c, String runId, String stage, int iteration) throws SQLException {
        return Sql.list(
                c,
                "SELECT " + TICKET_COLS + " FROM ticket WHERE run_id = ? AND stage = ? AND iteration = ? "
                        + "ORDER BY item",
                TicketStore::ticketRow,
                runId,
                stage,
                iteration);
    }

    public Optional<TicketRow> ticket(Connection c, String runId, String stage, int iteration, int item)
            throws SQLException {
        return Sql.one(
                c,
                "SELECT " + TICKET_COLS + " FROM ticket WHERE run_id = ? AND stage = ? AND iteration = ? "
                        + "AND item = ?",
                TicketStore::ticketRow,
                runId,
                stage,
                iteration,
                item);
    }

    /** Approval tickets waiting for a decision in running runs, oldest first, after {@code after} (keyset), or from the first. */
    public List<TicketRow> waitingApprovals(Connection c, int limit, TicketRow after) throws SQLException {
        String keyset = after == null ? "" : " AND (t.created_at > ? OR (t.created_at = ? AND t.id > ?))";
        Object[] args = after == null ? new Object[0] : new Object[] {after.createdAt(), after.createdAt(), after.id()};
        return Sql.list(
                c,
                "SELECT " + TICKET_COLS.replaceAll("(^|, )([a-z_]+)", "$1t.$2") + " FROM ticket t "
                        + "JOIN run r ON r.id = t.run_id WHERE r.status = 'RUNNING' AND t.status = 'WAITING_APPROVAL'"
                        + keyset
                        + " ORDER BY t.created_at, t.id FETCH FIRST " + limit + " ROWS ONLY",
                TicketStore::ticketRow,
                args);
    }

    /** The tickets of a run in one of the given states (e.g. those in flight when it fails). */
    public List<TicketRow> ticketsIn(Connection c, String runId, List<TicketStatus> statuses) throws SQLException {
        String marks = Sql.marks(statuses.size());
        List<Object> args = new ArrayList<>();
        args.add(runId);
        statuses.forEach(st -> args.add(st.name()));
        return Sql.list(
                c,
                "SELECT " + TICKET_COLS + " FROM ticket WHERE run_id = ? AND status IN (" + marks + ") "
                        + "ORDER BY stage, iteration, item",
                TicketStore::ticketRow,
                args.toArray());
    }

    /** The run's compensation tickets (item -1), one per compensated stage. */
    public List<TicketRow> compensationTickets(Connection c, String runId) throws SQLException {
        return Sql.list(
                c,
                "SELECT " + TICKET_COLS + " FROM ticket WHERE run_id = ? AND item = ? ORDER BY stage",
                TicketStore::ticketRow,
                runId,
                TicketRow.COMPENSATION);
    }

    /** Cancels every ticket of a run that was never dispatched (PENDING); returns how many. */
    public int cancelPending(Connection c, String runId, Instant now) throws SQLException {
        return Sql.update(
                c,
                "UPDATE ticket SET status = 'CANCELLED', updated_at = ? WHERE run_id = ? " + "AND status = 'PENDING'",
                now,
                runId);
    }

    static TicketRow ticketRow(ResultSet rs) throws SQLException {
        return new TicketRow(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getInt(4),
                rs.getInt(5),
                rs.getString(6),
                rs.getInt(7),
                rs.getInt(8),
                rs.getString(9),
                TicketStatus.valueOf(rs.getString(10)),
                RunStore.json(rs.getString(11)),
                RunStore.json(rs.getString(12)),
                rs.getString(13),
                Sql.instant(rs, 14),
                Sql.instant(rs, 15),
                Sql.instant(rs, 16),
                Sql.instant(rs, 17),
                Sql.instant(rs, 18));
    }
}
