package dev.baton.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Json;
import dev.baton.ticket.Rows.HistoryRow;
import dev.baton.ticket.Rows.RunRow;
import dev.baton.ticket.Rows.StageRow;
import dev.baton.ticket.Rows.TicketRow;
import java.time.Instant;
import java.util.List;

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

    /** @param usages token usage by ticket id, for the tickets whose agents reported any */
    public static ObjectNode full(
            RunRow r,
            List<StageRow> stages,
            List<TicketRow> tickets,
            List<String> order,
            java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> usages) {
        ObjectNode o = summary(r);
        o.set("context", r.context());
        ArrayNode arr = o.putArray("stages");
        for (String name : order) {
            StageRow s = stages.stream()
                    .filter(x -> x.name().equals(name))
                    .findFirst()
                    .orElse(null);
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
            tickets.stream().filter(t -> t.stage().equals(name)).forEach(t -> {
                ObjectNode to = ts.addObject().put("id", t.id()).put("agent", t.agent());
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
                if (usages.containsKey(t.id())) {
                    to.set("usage", usages.get(t.id()));
                }
            });
        }
        return o;
    }

    /**
     * {@code GET /api/runs/{id}?tickets=N}: each stage keeps its first N tickets and says how many it has in
     * {@code ticketCount}; a 10,000-item for_each need not come back whole. Null keeps every ticket.
     */
    public static ObjectNode capTickets(ObjectNode run, Integer max) {
        if (max == null) {
            return run;
        }
        for (var stage : run.path("stages")) {
            ArrayNode tickets = (ArrayNode) stage.path("tickets");
            int total = tickets.size();
            ((ObjectNode) stage).put("ticketCount", total);
            while (tickets.size() > max) {
                tickets.remove(tickets.size() - 1);
            }
        }
        return run;
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
