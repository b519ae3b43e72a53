package dev.baton.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.api.auth.Identity;
import dev.baton.pipeline.Json;
import dev.baton.runtime.ApprovalOutcome;
import dev.baton.runtime.DecisionRequest;
import dev.baton.runtime.OutboxRelay;
import dev.baton.runtime.RefusedException;
import dev.baton.runtime.RunEngine;
import dev.baton.ticket.Rows.Outgoing;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What people do to a run: decide an approval, cancel it, rerun it. Answers as JSON; errors as {@link Problem}.
 */
public final class RunControl {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RunControl.class);
    private static final int MAX_TEXT = 2000;
    private final RunEngine engine;
    private final OutboxRelay relay;
    private final Function<String, ObjectNode> view;

    /** @param view the run as {@code GET /api/runs/{id}} shows it */
    public RunControl(RunEngine engine, OutboxRelay relay, Function<String, ObjectNode> view) {
        this.engine = engine;
        this.relay = relay;
        this.view = view;
    }

    /** {@code POST /api/runs/{id}/cancel}, body {@code {"reason": "..."}} or empty: the run, now CANCELLED or COMPENSATING. */
    public ObjectNode cancel(String runId, String body) {
        String reason = field(body, "reason");
        apply(() -> engine.cancel(runId, reason), out -> out);
        return view.apply(runId);
    }

    /** {@code POST /api/runs/{id}/rerun}, body {@code {"from": "stage"}} or empty: the run, RUNNING again. */
    public ObjectNode rerun(String runId, String body) {
        String from = field(body, "from");
        List<String> stages = apply(() -> engine.rerun(runId, from), RunEngine.Rerun::outgoing)
                .stages();
        ObjectNode run = view.apply(runId);
        run.set("rerun", Json.MAPPER.valueToTree(stages));
        return run;
    }

    /** Applies a change in the engine, then hands its messages to the broker (the outbox sweep if that fails). */
    private <T> T apply(Supplier<T> action, Function<T, List<Outgoing>> outgoing) {
        T result;
        try {
            result = action.get();
        } catch (RefusedException e) {
            throw new Problem(e.status(), title(e.status()), e.getMessage(), List.of());
        }
        try {
            relay.send(outgoing.apply(result));
        } catch (RuntimeException e) {
            LOG.warn("change applied; its messages will be sent by the outbox sweep: {}", e.getMessage());
        }
        return result;
    }

    /** The one optional text field of a small JSON body; anything else in it is a 400. */
    static String field(String body, String name) {
        if (body == null || body.isBlank()) {
            return null;
        }
        com.fasterxml.jackson.databind.JsonNode json;
        try {
            json = Json.parse(body);
        } catch (IllegalArgumentException e) {
            throw Problem.badRequest("request body is not valid JSON", List.of(e.getMessage()));
        }
        if (!json.isObject()) {
            throw Problem.badRequest("request body must be a JSON object like {\"" + name + "\": \"...\"}", List.of());
        }
        List<String> problems = new java.util.ArrayList<>();
        json.fieldNames().forEachRemaining(f -> {
            if (!f.equals(name)) {
                problems.add("unknown field '" + f + "'; expected " + name);
            }
        });
        var v = json.get(name);
        if (v != null
                && !v.isNull()
                && (!v.isTextual() || v.asText().isBlank() || v.asText().length() > MAX_TEXT)) {
            problems.add(name + " must be a non-empty string of at most " + MAX_TEXT + " characters");
        }
        if (!problems.isEmpty()) {
            throw Problem.badRequest("the request is not valid", problems);
        }
        return v == null || v.isNull() ? null : v.asText();
    }

    /**
     * {@code POST /api/runs/{id}/approvals/{stage}}: 200 with the stage's approval state when the decision was
     * counted or repeated; 403 for someone who is not an approver; 409 with the outcome when the stage was already
     * decided or the approver already decided otherwise.
     *
     * @param who the authenticated caller, who is the approver. A body {@code approver} is only accepted when it
     *     names the caller (400 otherwise). When the API runs open (the demo), nobody is authenticated and the body's
     *     {@code approver} says who decides.
     */
    public ObjectNode decide(String runId, String stage, String body, Identity who) {
        boolean open = who == null || "open".equals(who.via());
        DecisionRequest request;
        try {
            request = DecisionRequest.parse(body == null || body.isBlank() ? null : Json.parse(body), false, open);
        } catch (IllegalArgumentException e) {
            throw Problem.badRequest(
                    "the decision is not valid", Arrays.asList(e.getMessage().split("\n")));
        }
        String approver;
        if (open) {
            approver = request.approver();
        } else {
            if (request.approver() != null && !request.approver().equals(who.name())) {
                throw Problem.badRequest(
                        "the decision is not valid",
                        List.of("approver '" + request.approver()
                                + "' is not the caller: a decision is recorded as the authenticated identity ('"
                                + who.name()
                                + "'); leave approver out"));
            }
            approver = who.name();
        }
        RunEngine.Decision d = apply(
                () -> engine.decide(runId, stage, approver, request.approve(), request.comment()),
                RunEngine.Decision::outgoing);
        ApprovalOutcome o = d.outcome();
        switch (o.verdict()) {
            case NOT_AN_APPROVER -> throw new Problem(403, "Forbidden", o.refusal(), List.of());
            case LATE, CHANGED_MIND ->
                throw new Problem(409, "Conflict", o.refusal(), List.of()).with("approval", view(runId, stage, o));
            default -> {
                return view(runId, stage, o);
            }
        }
    }

    static ObjectNode view(String runId, String stage, ApprovalOutcome o) {
        ObjectNode out = Json.object()
                .put("runId", runId)
                .put("stage", stage)
                .put("counted", o.verdict() == ApprovalOutcome.Verdict.COUNTED)
                .put("status", o.status().name());
        out.put("outcome", o.outcome());
        out.set("decisions", o.decisions());
        return out;
    }

    private static String title(int status) {
        return switch (status) {
            case 404 -> "Not Found";
            case 409 -> "Conflict";
            default -> "Bad Request";
        };
    }
}
