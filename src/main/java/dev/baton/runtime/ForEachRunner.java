package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import dev.baton.pipeline.ForEachStage;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.Templates;
import dev.baton.ticket.Rows.StageRow;
import dev.baton.ticket.Rows.TicketRow;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.TicketStatus;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Runs a {@code dynamic: for_each} stage (the splitter): one PENDING ticket row per item up front, at most
 * {@code maxParallel} of them dispatched; each item that ends dispatches the next. Counters on the stage row, not
 * scans, tell when the stage is done, so each reply costs the same at item 10 and at item 10,000.
 */
final class ForEachRunner implements StageRunner<ForEachStage> {
    private final Flow flow;
    private final RunStore store;
    private final Tickets tickets;
    private final int maxItems;

    ForEachRunner(Flow flow, RunStore store, Tickets tickets, int maxItems) {
        this.maxItems = maxItems;
        this.flow = flow;
        this.store = store;
        this.tickets = tickets;
    }

    @Override
    public void start(Step s, Scope scope, ForEachStage stage) throws SQLException {
        JsonNode items = RunContext.read(s.context(), stage.items());
        if (!items.isArray()) {
            flow.stageFailed(s, scope, stage, "for_each input " + stage.items() + " is "
                    + items.getNodeType().name().toLowerCase(Locale.ROOT) + ", not an array");
            return;
        }
        if (items.isEmpty()) {
            flow.stageSucceeded(s, scope, stage, Json.MAPPER.createArrayNode(), "no items");
            return;
        }
        if (items.size() > maxItems) {
            // One row per item, written in this transaction: the limit keeps one run from filling the store.
            flow.stageFailed(s, scope, stage, "for_each input " + stage.items() + " has " + items.size()
                    + " items; at most " + maxItems + " are allowed (baton.pipelines.max-for-each-items)");
            return;
        }
        StageRow row = flow.row(s, scope, stage);
        List<TicketRow> rows = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            Function<String, JsonNode> roots = roots(item, i);
            String label = label(stage.template().name() == null ? stage.name() + "[" + i + "]"
                    : Templates.renderText(stage.template().name(), roots));
            JsonNode input = stage.template().input() == null ? item : Templates.render(stage.template().input(), roots);
            rows.add(Tickets.row(s, scope.qualified(stage), row.iteration(), i, label, stage.template().agent(), input,
                    TicketStatus.PENDING));
        }
        rows = stored(s, rows);
        int first = Math.min(stage.maxParallel(), rows.size());
        tickets.note(s, scope.qualified(stage), "SPLIT", rows.size() + " items, " + first + " dispatched at once");
        TicketPolicy policy = TicketPolicy.of(stage.base());
        for (int i = 0; i < first; i++) {
            tickets.dispatch(s, rows.get(i), rows.get(i).attempt() + 1, policy, java.time.Duration.ZERO, null);
        }
        flow.putStage(s, row.items(rows.size(), first, 0));
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
     * their attempts are numbered on.
     */
    private List<TicketRow> stored(Step s, List<TicketRow> rows) throws SQLException {
        java.util.Map<Integer, TicketRow> old = new java.util.HashMap<>();
        for (TicketRow t : store.tickets(s.c, s.run.id(), rows.get(0).stage(), rows.get(0).iteration())) {
            old.put(t.item(), t);
        }
        if (old.isEmpty()) {
            store.insertTickets(s.c, rows);
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
                store.updateTicket(s.c, revived);
                out.add(revived);
            }
        }
        if (!fresh.isEmpty()) {
            store.insertTickets(s.c, fresh);
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

    @Override
    public void succeeded(Step s, Scope scope, ForEachStage stage, TicketRow t, JsonNode output) throws SQLException {
        tickets.succeed(s, t, output, null);
        itemEnded(s, scope, stage);
    }

    @Override
    public void failed(Step s, Scope scope, ForEachStage stage, TicketRow t, String error) throws SQLException {
        tickets.fail(s, t, error);
        if (stage.continueOnError()) {
            itemEnded(s, scope, stage);
            return;
        }
        flow.stageFailed(s, scope, stage, "item " + t.item() + " '" + t.label() + "' failed " + Tickets.afterAttempts(t)
                + ": " + error);
    }

    private void itemEnded(Step s, Scope scope, ForEachStage stage) throws SQLException {
        StageRow row = flow.row(s, scope, stage);
        int next = row.itemsNext();
        if (next < row.itemsTotal()) {
            TicketRow t = store.ticket(s.c, s.run.id(), row.name(), row.iteration(), next).orElseThrow();
            tickets.dispatch(s, t, t.attempt() + 1, TicketPolicy.of(stage.base()), java.time.Duration.ZERO, null);
            next++;
        }
        int done = row.itemsDone() + 1;
        flow.putStage(s, row.items(row.itemsTotal(), next, done));
        if (done == row.itemsTotal()) {
            gather(s, scope, stage, row);
        }
    }

    /** The stage's output: every item's output in item order; a failed item (continueOnError) is its error. */
    private void gather(Step s, Scope scope, ForEachStage stage, StageRow row) throws SQLException {
        ArrayNode out = Json.MAPPER.createArrayNode();
        int failed = 0;
        for (TicketRow t : store.tickets(s.c, s.run.id(), row.name(), row.iteration())) {
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
        flow.stageSucceeded(s, scope, stage, out, detail);
    }
}
