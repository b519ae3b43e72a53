package dev.baton.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Json;
import dev.baton.ticket.Rows.HistoryRow;
import dev.baton.ticket.Rows.RunRow;
import dev.baton.ticket.Rows.StageRow;
import dev.baton.ticket.TicketPages.After;
import dev.baton.ticket.TicketPages.Shown;
import dev.baton.ticket.TicketRow;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Renders runs, stages, tickets and history in the JSON shapes of the REST API (README). */
public final class RunViews {
    private RunViews() {}

    public static ObjectNode summary(RunRow r) {
        ObjectNode o = Json.object()
                .put("id", r.id())
                .put("pipeline", r.pipeline())
                .put("revision", r.revision())
                .put("status", r.status().name());
        o.set("params", r.params());
        if (r.idempotencyKey() != null) {
            o.put("idempotencyKey", r.idempotencyKey()); // a scheduled run's says which tick started it
        }
        o.put("error", r.error());
        time(o, "createdAt", r.createdAt());
        time(o, "updatedAt", r.updatedAt());
        time(o, "finishedAt", r.finishedAt());
        return o;
    }

    /**
     * The run with its stages in {@code order}, each with at most the tickets given for it (the first of each stage,
     * read by {@link dev.baton.ticket.TicketPages}), its {@code ticketCount} and, when more exist, {@code ticketsNext}:
     * the cursor of {@code GET /api/runs/{id}/tickets?stage=} for the rest. Linear in stages plus tickets shown.
     */
    public static ObjectNode full(RunRow r, List<StageRow> stages, StageTickets tickets, List<String> order) {
        ObjectNode o = summary(r);
        o.set("context", r.context());
        ArrayNode arr = o.putArray("stages");
        Map<String, StageRow> byName = new HashMap<>(stages.size() * 2);
        stages.forEach(s -> byName.put(s.name(), s));
        for (String name : order) {
            StageRow s = byName.get(name);
            if (s == null) continue;
            ObjectNode so = arr.addObject()
                    .put("name", s.name())
                    .put("status", s.status().name())
                    .put("attempts", s.attempts());
            if (s.iteration() > 0) {
                so.put("iteration", s.iteration());
            }
            if (s.itemsTotal() > 0) {
                so.putObject("items")
                        .put("total", s.itemsTotal())
                        .put("dispatched", s.itemsNext())
                        .put("done", s.itemsDone());
            }
            so.set("output", s.output());
            so.put("error", s.error());
            time(so, "startedAt", s.startedAt());
            time(so, "finishedAt", s.finishedAt());
            ArrayNode ts = so.putArray("tickets");
            List<Shown> shown = tickets.first().getOrDefault(name, List.of());
            shown.forEach(t -> ts.add(ticket(t, false)));
            int count = tickets.counts().getOrDefault(name, 0);
            so.put("ticketCount", count);
            // Where the stage's tickets continue; with ?tickets=0, before its first (iteration -1 precedes them all).
            After last = shown.isEmpty()
                    ? new After(name, -1, -1)
                    : after(shown.get(shown.size() - 1).row());
            so.put("ticketsNext", count > shown.size() ? new TicketCursor(last).encode(r.id(), name) : null);
            ObjectNode usage = tickets.usage().get(name);
            if (usage != null) {
                so.set("usage", usage);
            }
        }
        return o;
    }

    /** A stage's tickets as the run view gets them: the first few of each, every stage's count and usage sum. */
    public record StageTickets(
            Map<String, List<Shown>> first, Map<String, Integer> counts, Map<String, ObjectNode> usage) {}

    /** One ticket as the run view and the tickets pages show it; {@code withStage} for the pages, which mix stages. */
    static ObjectNode ticket(Shown shown, boolean withStage) {
        TicketRow t = shown.row();
        ObjectNode to = Json.object().put("id", t.id());
        if (withStage) {
            to.put("stage", t.stage());
        }
        to.put("agent", t.agent());
        if (t.compensation()) {
            to.putNull("item");
        } else {
            to.put("item", t.item());
        }
        to.put("label", t.label()).put("purpose", t.compensation() ? "compensate" : "work");
        if (t.iteration() > 0) {
            to.put("iteration", t.iteration());
        }
        to.put("attempt", t.attempt()).put("status", t.status().name());
        to.set("input", t.input());
        to.set("output", t.output());
        to.put("error", t.error());
        time(to, "createdAt", t.createdAt());
        time(to, "updatedAt", t.updatedAt());
        if (shown.usage() != null) {
            to.set("usage", shown.usage());
        }
        return to;
    }

    static After after(TicketRow t) {
        return new After(t.stage(), t.iteration(), t.item());
    }

    public static ArrayNode history(List<HistoryRow> rows) {
        ArrayNode arr = Json.MAPPER.createArrayNode();
        for (HistoryRow h : rows) {
            ObjectNode o = arr.addObject()
                    .put("seq", h.seq())
                    .put("at", h.at().toString())
                    .put("status", h.status())
                    .put("stage", h.stage())
                    .put("ticketId", h.ticketId());
            if (h.attempt() != null) o.put("attempt", h.attempt());
            o.put("agent", h.agent()).put("actor", h.actor()).put("detail", h.detail());
            if (h.repeats() > 0) {
                o.put("repeats", h.repeats()).put("repeatedAt", h.repeatedAt().toString());
            }
        }
        return arr;
    }

    private static void time(ObjectNode o, String field, Instant t) {
        o.put(field, t == null ? null : t.toString());
    }

    /**
     * The stages of the run's pinned revision with their dependencies, also those that have not started: what the
     * console draws. A loop's inner stages follow it as {@code loop/inner}, depending on {@code loop/other}.
     */
    static ArrayNode graph(List<dev.baton.pipeline.Stage> stages, String prefix) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (dev.baton.pipeline.Stage st : stages) {
            ObjectNode n = out.addObject().put("name", prefix + st.name()).put("kind", st.kind());
            ArrayNode deps = n.putArray("dependsOn");
            st.dependsOn().forEach(d -> deps.add(prefix + d));
            ArrayNode agents = n.putArray("agents");
            st.agentNames().forEach(agents::add);
            if (st instanceof dev.baton.pipeline.ApprovalStage a) {
                ArrayNode approvers = n.putArray("approvers");
                a.approvers().forEach(approvers::add);
                n.put("policy", a.policy().yaml()).put("needed", a.needed());
            }
            if (st instanceof dev.baton.pipeline.LoopStage loop) {
                out.addAll(graph(loop.stages(), prefix + st.name() + "/"));
            }
        }
        return out;
    }
}
