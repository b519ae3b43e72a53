package dev.baton.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.compile.PipelineRegistry;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.Params;
import dev.baton.pipeline.Pipeline;
import dev.baton.runtime.AlreadySubmittedException;
import dev.baton.runtime.IdempotencyConflictException;
import dev.baton.runtime.OutboxRelay;
import dev.baton.runtime.RunEngine;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * A request to start a run (REST, CLI demo, JMS submission, trigger): its Idempotency-Key and params checked, an
 * earlier run with the same key replayed, else the run started through the engine and its first messages sent.
 */
final class StartRequests {
    private final PipelineRegistry pipelines;
    private final RunEngine engine;
    private final OutboxRelay relay;
    private final Function<String, ObjectNode> view;

    /** @param view the run as the API shows it, by id */
    StartRequests(PipelineRegistry pipelines, RunEngine engine, OutboxRelay relay, Function<String, ObjectNode> view) {
        this.pipelines = pipelines;
        this.engine = engine;
        this.relay = relay;
        this.view = view;
    }

    /**
     * Starts a run as {@code POST /api/pipelines/{name}/runs} does, for a submission over JMS: the run keeps where
     * its final result goes. A replay of an earlier run (same idempotency key) sends that run's result to the new
     * reply destination instead, or, when it has already ended, asks the caller to answer at once.
     *
     * @throws AlreadySubmittedException when this very message already started a run (a redelivery)
     */
    RunService.StartOutcome start(
            String pipelineName, String body, String idempotencyKey, RunEngine.Submission submission) {
        if (idempotencyKey != null
                && (idempotencyKey.isBlank() || idempotencyKey.length() > RunService.MAX_IDEMPOTENCY_KEY)) {
            throw Problem.badRequest(
                    "Idempotency-Key must be 1 to " + RunService.MAX_IDEMPOTENCY_KEY + " characters", List.of());
        }
        JsonNode given;
        try {
            given = body == null || body.isBlank() ? Json.object() : Json.parse(body);
        } catch (IllegalArgumentException e) {
            throw Problem.badRequest("request body is not valid JSON", List.of(e.getMessage()));
        }
        if (!given.isObject()) {
            throw Problem.badRequest(
                    "request body must be a JSON object of params",
                    List.of("expected a JSON object, got "
                            + given.getNodeType().name().toLowerCase(Locale.ROOT)));
        }
        // A replay is judged against the request as sent, before the pipeline is even looked up: the file may have
        // changed (defaults) or gone since the first request.
        String requestHash = Json.sha256(pipelineName + "\n" + Json.canonical(given));
        try {
            if (idempotencyKey != null) {
                var earlier = engine.earlier(idempotencyKey, pipelineName, requestHash);
                if (earlier.isPresent()) {
                    return replayed(earlier.get().id(), submission);
                }
            }
            return startNew(pipelineName, given, idempotencyKey, requestHash, submission);
        } catch (IdempotencyConflictException e) {
            throw new Problem(422, "Unprocessable Content", e.getMessage(), List.of());
        }
    }

    private RunService.StartOutcome replayed(String runId, RunEngine.Submission submission) {
        boolean answerNow =
                submission != null && submission.replyTo() != null && !engine.answerLater(runId, submission.replyTo());
        return new RunService.StartOutcome(view.apply(runId), true, answerNow);
    }

    private RunService.StartOutcome startNew(
            String pipelineName,
            JsonNode given,
            String idempotencyKey,
            String requestHash,
            RunEngine.Submission submission) {
        Pipeline p = pipelines
                .current(pipelineName)
                .orElseThrow(() -> Problem.notFound("pipeline '" + pipelineName + "' is not loaded; loaded pipelines: "
                        + String.join(", ", pipelines.names())));
        if (given.size() == 1 && given.has("params") && !p.params().containsKey("params")) {
            given = given.get("params"); // the {"params": {...}} envelope
        }
        Params.Resolution resolved = Params.resolve(p, given);
        if (!resolved.problems().isEmpty()) {
            throw Problem.badRequest("params do not match pipeline '" + p.name() + "'", resolved.problems());
        }
        RunEngine.Started started = engine.start(p, resolved.params(), idempotencyKey, requestHash, submission);
        if (started.replayed()) { // a concurrent request with the same key won
            return replayed(started.run().id(), submission);
        }
        // Answering 500 after the commit would invite a retry that, without an Idempotency-Key, makes a second run.
        relay.sendOrLeaveToSweep(started.run().id(), started.outgoing());
        return new RunService.StartOutcome(view.apply(started.run().id()), started.replayed());
    }
}
