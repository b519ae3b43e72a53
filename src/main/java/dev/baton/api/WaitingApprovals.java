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
import dev.baton.ticket.Rows.TicketRow;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.Tx;

/**
 * {@code GET /api/approvals}: the approval stages a caller could decide now, by the same rules a decision is judged
 * by (the approver role, a name the stage lists or a stage that lists nobody, no decision of theirs yet).
 */
public final class WaitingApprovals {
    /** Enough for a person's queue; the oldest come first, so nothing waits unseen for ever. */
    static final int LIMIT = 500;

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
            for (TicketRow t : store.waitingApprovals(c, LIMIT)) {
                RunRow run = store.run(c, t.runId()).orElse(null);
                if (run == null) continue;
                var stage = pipelines.pinned(c, run.pipeline(), run.revision()).stage(t.stage())
                        .filter(ApprovalStage.class::isInstance).map(ApprovalStage.class::cast).orElse(null);
                if (stage == null || !(open || stage.mayDecide(who.name()))) continue;
                ArrayNode decisions = Json.MAPPER.createArrayNode();
                boolean decided = false;
                for (HistoryRow h : store.history(c, t.runId(), t.id(), t.attempt())) {
                    if (h.status().equals("APPROVED") || h.status().equals("REJECTED")) {
                        decisions.addObject().put("approver", h.actor()).put("decision", h.status())
                                .put("comment", h.detail()).put("at", h.at().toString());
                        decided |= h.actor().equals(who.name());
                    }
                }
                if (decided && !open) continue;
                ObjectNode o = out.addObject().put("runId", run.id()).put("pipeline", run.pipeline())
                        .put("stage", t.stage()).put("since", t.updatedAt().toString());
                stage.approvers().forEach(o.putArray("approvers")::add);
                o.put("policy", stage.policy().yaml()).put("needed", stage.needed());
                o.set("decisions", decisions);
            }
            return out;
        });
    }
}
