package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import dev.baton.compile.Scope;
import dev.baton.pipeline.ForEachStage;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.Templates;
import dev.baton.ticket.Rows.StageRow;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.TicketRow;
import dev.baton.ticket.TicketStatus;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The steps of a {@code dynamic: for_each} stage's routes: the items read, one PENDING ticket per item (the
 * splitter's), at most {@code maxParallel} dispatched, the next dispatched as each ends, and the outputs gathered
 * once the aggregator's counters say every item has ended. Counters on the stage row, not scans, tell when the
 * stage is done, so each reply costs the same at item 10 and at item 10,000.
 */
final class ForEachSteps {
    private final Stages stages;
    private final RunStore store;
    private final Tickets tickets;
    private final int maxItems;

    ForEachSteps(Stages stages, RunStore store, Tickets tickets, int maxItems) {
        this.maxItems = maxItems;
        this.stages = stages;
        this.store = store;
        this.tickets = tickets;
    }

    /** The items to split, or null when the stage ended here (not an array, empty, too many). */
    ArrayNode items(Step s, Scope scope, ForEachStage stage) throws SQLException {
        JsonNode items = RunContext.read(s.context(), stage.items());
        if (!items.isArray()) {
            stages.failed(
                    s,
                    scope,
                    stage,
                    "for_each input " + stage.items() + " is "
                            + items.getNodeType().name().toLowerCase(Locale.ROOT) + ", not an array");
            return null;
        }
        if (items.isEmpty()) {
            stages.succeeded(s, scope, stage, Json.MAPPER.createArrayNode(), "no items");
            return null;
        }
        if (items.size() > maxItems) {
            // One row per item, written in this transaction: the limit keeps one run from filling the store.
            stages.failed(
                    s,
                    scope,
                    stage,
                    "for_each input " + stage.items() + " has " + items.size() + " items; at most " + maxItems
                            + " are allowed (baton.pipelines.max-for-each-items)");
            return null;
        }
        s.splitItems.clear();
        return (ArrayNode) items;
    }

    /** One item of the splitter: its ticket row, stored with the others once the split is done. */
    void item(Step s, Scope scope, ForEachStage stage, JsonNode item, int i) {
        Function<String, JsonNode> roots = roots(item, i);
        String label = label(
                stage.template().name() == null
                        ? stage.name() + "[" + i + "]"
                        : Templates.renderText(stage.template().name(), roots));
        JsonNode input = stage.template().input() == null
                ? item
                : Templates.render(stage.template().input(), roots);
        s.splitItems.add(Tickets.row(
                s,
                scope.qualified(stage),
                stages.row(s, scope, stage).iteration(),
                i,
                label,
                stage.template().agent(),
                input,
                TicketStatus.PENDING));
    }

    /** Stores the split's rows in one batch and dispatches the first {@code maxParallel}. */
    void dispatch(Step s, Scope scope, ForEachStage stage) throws SQLException {
        List<TicketRow> rows = stored(s, List.copyOf(s.splitItems));
        s.splitItems.clear();
        int first = Math.min(stage.maxParallel(), rows.size());
        tickets.note(s, scope.qualified(stage), "SPLIT", rows.size() + " items, " + first + " dispatched at once");
        TicketPolicy policy = TicketPolicy.of(stage.base());
        for (int i = 0; i < first; i++) {
            tickets.dispatch(s, rows.get(i), rows.get(i).attempt() + 1, policy, java.time.Duration.ZERO, null);
        }
        stages.putStage(s, stages.row(s, scope, stage).items(rows.size(), first, 0));
    }

    /** An item's label as its column holds it: a name rendered from the item's data may be of any length. */
    static String label(String rendered) {
        int max = dev.baton.pipeline.StoreLimits.LABEL;
        if (rendered == null || rendered.length() <= max) {
            return rendered;
        }
        int end = Character.isHighSurrogate(rendered.charAt(max - 2)) ? max - 2 : max - 1;
        return rendered.substring(0, end) + "…";
    }

    /**
     * Inserts the item rows in one batch; after a rerun the earlier rows of this stage are revived instead, so
     * their attempts are numbered on. A run never rerun has no earlier rows, and they are not looked for (as for any
     * ticket: {@link Step#rerun}).
     */
    private List<TicketRow> stored(Step s, List<TicketRow> rows) throws SQLException {
        java.util.Map<Integer, TicketRow> old = new java.util.HashMap<>();
        if (s.rerun) {
            for (TicketRow t : store.ticketRows()
                    .tickets(s.c, s.run.id(), rows.get(0).stage(), rows.get(0).iteration())) {
                old.put(t.item(), t);
            }
        }
        if (old.isEmpty()) {
            store.ticketRows().insertTickets(s.c, rows);
            return rows;
        }
        List<TicketRow> out = new ArrayList<>(rows.size());
        List<TicketRow> fresh = new ArrayList<>();
        for (TicketRow r : rows) {
            TicketRow before = old.get(r.item());
            if (before == null) {
                fresh.add(r);
                out.add(r);
            } else {
                TicketRow revived = before.revived(r, s.now);
                store.ticketRows().updateTicket(s.c, revived);
                out.add(revived);
            }
        }
        if (!fresh.isEmpty()) {
            store.ticketRows().insertTickets(s.c, fresh);
        }
        return out;
    }

    private static Function<String, JsonNode> roots(JsonNode item, int index) {
        return root -> switch (root) {
            case "item" -> item;
            case "index" -> IntNode.valueOf(index);
            default -> null;
        };
    }

    TicketRow ended(Step s, TicketEnd e) throws SQLException {
        return e.failed() ? tickets.fail(s, e.ticket(), e.error()) : tickets.succeed(s, e.ticket(), e.output(), null);
    }

    /** A failed item fails the stage unless it continues on error. */
    static boolean stops(ForEachStage stage, TicketEnd e) {
        return e.failed() && !stage.continueOnError();
    }

    void itemFailed(Step s, Scope scope, ForEachStage stage, TicketEnd e) throws SQLException {
        TicketRow t = e.ticket();
        stages.failed(
                s,
                scope,
                stage,
                "item " + t.item() + " '" + t.label() + "' failed " + Tickets.afterAttempts(t) + ": " + e.error());
    }

    /** An item ended: the next one waiting is dispatched, keeping {@code maxParallel} in flight. */
    void next(Step s, Scope scope, ForEachStage stage) throws SQLException {
        StageRow row = stages.row(s, scope, stage);
        int next = row.itemsNext();
        if (next < row.itemsTotal()) {
            TicketRow t = store.ticketRows()
                    .ticket(s.c, s.run.id(), row.name(), row.iteration(), next)
                    .orElseThrow();
            tickets.dispatch(s, t, t.attempt() + 1, TicketPolicy.of(stage.base()), java.time.Duration.ZERO, null);
            stages.putStage(s, row.items(row.itemsTotal(), next + 1, row.itemsDone()));
        }
    }

    /** The aggregator's state written back: how many items have ended. */
    void counted(Step s, StageRow counters) throws SQLException {
        stages.putStage(s, counters);
    }

    /** The stage's output: every item's output in item order; a failed item (continueOnError) is its error. */
    void gather(Step s, Scope scope, ForEachStage stage, StageRow counters) throws SQLException {
        stages.putStage(s, counters);
        StageRow row = stages.row(s, scope, stage);
        ArrayNode out = Json.MAPPER.createArrayNode();
        int failed = 0;
        for (TicketRow t : store.ticketRows().tickets(s.c, s.run.id(), row.name(), row.iteration())) {
            if (t.compensation() || t.item() >= row.itemsTotal()) {
                continue; // an item beyond the current list is left from before a rerun
            }
            if (t.status() == TicketStatus.SUCCEEDED) {
                out.add(t.output());
            } else {
                failed++;
                out.addObject().put("error", t.error()).put("item", t.item()).put("label", t.label());
            }
        }
        String detail = row.itemsTotal() + " items" + (failed == 0 ? "" : ", " + failed + " failed (continueOnError)");
        stages.succeeded(s, scope, stage, out, detail);
    }
}
