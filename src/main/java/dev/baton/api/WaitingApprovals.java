package dev.baton.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.api.auth.Identity;
import dev.baton.api.auth.Role;
import dev.baton.compile.PipelineRegistry;
import dev.baton.pipeline.ApprovalStage;
import dev.baton.pipeline.Json;
import dev.baton.ticket.Rows.HistoryRow;
import dev.baton.ticket.Rows.RunRow;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.TicketRow;
import dev.baton.ticket.Tx;
import java.util.List;

/**
 * {@code GET /api/approvals}: the approval stages a caller could decide now, by the same rules a decision is judged
 * by (the approver role, a name the stage lists or a stage that lists nobody, no decision of theirs yet).
 */
public final class WaitingApprovals {
    /** Enough for a person's queue; the oldest come first, so nothing waits unseen for ever. */
    static final int LIMIT = 500;
    /**
     * Waiting stages read to find them, in pages: the approvers are in the pinned revision, not in a column, so the
     * caller's stages are picked out here, and stages others must decide do not hide theirs.
     */
    static final int SCAN = 20_000;

    private final Tx tx;
    private final RunStore store;
    private final PipelineRegistry pipelines;

    WaitingApprovals(Tx tx, RunStore store, PipelineRegistry pipelines) {
        this.tx = tx;
        this.store = store;
        this.pipelines = pipelines;
    }

    /** {@code [{runId, pipeline, stage, since, approvers, policy, needed, decisions}]}, oldest first. */
    public ArrayNode forCaller(Identity who) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        if (!who.role().includes(Role.APPROVER)) {
            return out; // a viewer or submitter decides nothing
        }
        boolean open = "open".equals(who.via()); // the demo: the caller may decide as anyone
        return tx.run(c -> {
            TicketRow after = null;
            for (int read = 0; read < SCAN && out.size() < LIMIT; ) {
                List<TicketRow> page = store.ticketRows().waitingApprovals(c, LIMIT, after);
                if (page.isEmpty()) break;
                read += page.size();
                after = page.get(page.size() - 1);
                for (TicketRow t : page) {
                    if (out.size() < LIMIT) add(c, out, who, open, t);
                }
            }
            return out;
        });
    }

    /** Adds the waiting stage of {@code t} when the caller may decide it and has not. */
    private void add(java.sql.Connection c, ArrayNode out, Identity who, boolean open, TicketRow t)
            throws java.sql.SQLException {
        RunRow run = store.run(c, t.runId()).orElse(null);
        if (run == null) return;
        var stage = pipelines
                .pinned(c, run.pipeline(), run.revision())
                .stage(t.stage())
                .filter(ApprovalStage.class::isInstance)
                .map(ApprovalStage.class::cast)
                .orElse(null);
        if (stage == null || !(open || stage.mayDecide(who.name()))) return;
        ArrayNode decisions = Json.MAPPER.createArrayNode();
        boolean decided = false;
        for (HistoryRow h : store.historyRows().history(c, t.runId(), t.id(), t.attempt())) {
            if (h.status().equals("APPROVED") || h.status().equals("REJECTED")) {
                decisions
                        .addObject()
                        .put("approver", h.actor())
                        .put("decision", h.status())
                        .put("comment", h.detail())
                        .put("at", h.at().toString());
                decided |= h.actor().equals(who.name());
            }
        }
        if (decided && !open) return;
        ObjectNode o = out.addObject()
                .put("runId", run.id())
                .put("pipeline", run.pipeline())
                .put("stage", t.stage())
                .put("since", t.updatedAt().toString());
        stage.approvers().forEach(o.putArray("approvers")::add);
        o.put("policy", stage.policy().yaml()).put("needed", stage.needed());
        o.set("decisions", decisions);
    }
}
