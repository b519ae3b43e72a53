package dev.baton.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Json;
import dev.baton.runtime.ApprovalOutcome;
import dev.baton.runtime.DecisionException;
import dev.baton.runtime.DecisionRequest;
import dev.baton.runtime.OutboxRelay;
import dev.baton.runtime.RunEngine;
import java.util.Arrays;
import java.util.List;

/** What people do to a run in flight: decide an approval. Answers as JSON; errors as {@link Problem}. */
public final class RunControl {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RunControl.class);
    private final RunEngine engine;
    private final OutboxRelay relay;

    public RunControl(RunEngine engine, OutboxRelay relay) {
        this.engine = engine;
        this.relay = relay;
    }

    /**
     * {@code POST /api/runs/{id}/approvals/{stage}}: 200 with the stage's approval state when the decision was
     * counted or repeated; 403 for someone who is not an approver; 409 with the outcome when the stage was already
     * decided or the approver already decided otherwise.
     */
    public ObjectNode decide(String runId, String stage, String body) {
        DecisionRequest request;
        try {
            request = DecisionRequest.parse(body == null || body.isBlank() ? null : Json.parse(body));
        } catch (IllegalArgumentException e) {
            throw Problem.badRequest("the decision is not valid", Arrays.asList(e.getMessage().split("\n")));
        }
        RunEngine.Decision d;
        try {
            d = engine.decide(null, runId, stage, request.approver(), request.approve(), request.comment());
        } catch (DecisionException e) {
            throw new Problem(e.status(), title(e.status()), e.getMessage(), List.of());
        }
        send(d);
        ApprovalOutcome o = d.outcome();
        switch (o.verdict()) {
            case NOT_AN_APPROVER -> throw new Problem(403, "Forbidden", o.refusal(), List.of());
            case LATE, CHANGED_MIND -> throw new Problem(409, "Conflict", o.refusal(), List.of())
                    .with("approval", view(runId, stage, o));
            default -> {
                return view(runId, stage, o);
            }
        }
    }

    static ObjectNode view(String runId, String stage, ApprovalOutcome o) {
        ObjectNode out = Json.object().put("runId", runId).put("stage", stage)
                .put("counted", o.verdict() == ApprovalOutcome.Verdict.COUNTED).put("status", o.status().name());
        out.put("outcome", o.outcome());
        out.set("decisions", o.decisions());
        return out;
    }

    private void send(RunEngine.Decision d) {
        try {
            relay.send(d.outgoing());
        } catch (RuntimeException e) {
            LOG.warn("decision applied; its messages will be sent by the outbox sweep: {}", e.getMessage());
        }
    }

    private static String title(int status) {
        return switch (status) {
            case 404 -> "Not Found";
            case 409 -> "Conflict";
            default -> "Bad Request";
        };
    }
}
