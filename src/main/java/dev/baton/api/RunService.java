package dev.baton.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.compile.PipelineRegistry;
import dev.baton.compile.RoutesFolder;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.Stage;
import dev.baton.runtime.AlreadySubmittedException;
import dev.baton.runtime.OutboxRelay;
import dev.baton.runtime.Retention;
import dev.baton.runtime.RunEngine;
import dev.baton.runtime.Scheduler;
import dev.baton.ticket.RetentionStore;
import dev.baton.ticket.Rows.RunRow;
import dev.baton.ticket.RunStatus;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.Tx;
import dev.baton.ticket.WebhookStore;
import java.util.List;

/** What the REST API, the CLI's demo and Camel triggers do with runs; input checked here, answers as JSON. */
public final class RunService {
    private static final dev.baton.ticket.UsageStore USAGE = new dev.baton.ticket.UsageStore();
    private static final dev.baton.ticket.TicketPages PAGES = new dev.baton.ticket.TicketPages();
    static final int MAX_IDEMPOTENCY_KEY = 200;

    private final PipelineRegistry pipelines;
    private final Tx tx;
    private final RunStore store;
    private final RunControl control;
    private final RunRecords records;
    private final Metrics metrics;
    private final Retention retention;

    /**
     * A started run as the API shows it; {@code replayed} when an earlier request with the same key made it.
     * {@code answerNow}: a JMS submission replayed a run that has already ended, so no final result will follow.
     */
    public record StartOutcome(ObjectNode run, boolean replayed, boolean answerNow) {
        public StartOutcome(ObjectNode run, boolean replayed) {
            this(run, replayed, false);
        }
    }

    private final WaitingApprovals approvals;
    private final RunPages pages;
    private final StartRequests starts;
    private final PipelineViews pipelineViews;

    public RunService(
            PipelineRegistry pipelines,
            RoutesFolder folder,
            RunEngine engine,
            OutboxRelay relay,
            Tx tx,
            RunStore store,
            Scheduler scheduler,
            Metrics metrics) {
        this.metrics = metrics;
        this.pipelines = pipelines;
        this.tx = tx;
        this.store = store;
        this.control = new RunControl(engine, relay, this::get);
        this.records = new RunRecords(tx, store, new WebhookStore(), pipelines);
        this.retention = new Retention(tx, new RetentionStore(), Retention.BATCH);
        this.approvals = new WaitingApprovals(tx, store, pipelines);
        this.pages = new RunPages(tx, store, PAGES);
        this.starts = new StartRequests(pipelines, engine, relay, this::get);
        this.pipelineViews = new PipelineViews(pipelines, folder, scheduler, tx);
    }

    /**
     * {@code POST /api/runs/purge}, body {@code {"before": "2026-11-01"}} (a date, taken as its start in UTC, or an
     * instant): deletes every run that finished before then, with its tickets, history and deliveries.
     */
    public ObjectNode purge(String body) {
        String before = RunControl.field(body, "before");
        if (before == null) {
            throw Problem.badRequest(
                    "'before' is required: a date (2026-11-01) or an instant (2026-11-01T12:00:00Z)", List.of());
        }
        Retention.Purged purged = retention.purge(instant(before));
        return Json.object().put("before", purged.before().toString()).put("deleted", purged.runs());
    }

    private static java.time.Instant instant(String text) {
        try {
            return text.length() == 10
                    ? java.time.LocalDate.parse(text)
                            .atStartOfDay(java.time.ZoneOffset.UTC)
                            .toInstant()
                    : java.time.OffsetDateTime.parse(text).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            throw Problem.badRequest(
                    "'before' must be a date (2026-11-01) or an instant with its offset "
                            + "(2026-11-01T12:00:00Z), not '" + text + "'",
                    List.of());
        }
    }

    /** The approval stages waiting for a person. */
    public WaitingApprovals approvals() {
        return approvals;
    }

    /** Decisions, cancellation and reruns of runs in flight. */
    public RunControl control() {
        return control;
    }

    /** The Prometheus scrape of {@code GET /api/metrics}. */
    public Metrics metrics() {
        return metrics;
    }

    /** Events, webhook deliveries and revisions. */
    public RunRecords records() {
        return records;
    }

    /** Tickets per stage in a run view when the caller does not say: enough for most stages, bounded for all. */
    public static final int TICKETS_PER_STAGE = 100;

    /** The most tickets per stage a run view may be asked for ({@code ?tickets=N}); more come from the pages. */
    public static final int MAX_TICKETS_PER_STAGE = 1000;

    public ObjectNode get(String runId) {
        return get(runId, TICKETS_PER_STAGE);
    }

    /** The run with at most {@code perStage} tickets of each stage. */
    public ObjectNode get(String runId, int perStage) {
        return tx.run(c -> view(c, store, pipelines, runId, perStage));
    }

    /** The run as {@code GET /api/runs/{id}} shows it, read in the caller's transaction. */
    public static ObjectNode view(java.sql.Connection c, RunStore store, PipelineRegistry pipelines, String runId)
            throws java.sql.SQLException {
        return view(c, store, pipelines, runId, TICKETS_PER_STAGE);
    }

    /**
     * The run with at most {@code perStage} tickets of each stage: three bounded reads of the tickets (the first of
     * each stage, the counts, the usage sums), never all of them.
     */
    static ObjectNode view(
            java.sql.Connection c, RunStore store, PipelineRegistry pipelines, String runId, int perStage)
            throws java.sql.SQLException {
        RunRow run = store.run(c, runId).orElseThrow(() -> Problem.notFound("run '" + runId + "' does not exist"));
        List<String> order = new java.util.ArrayList<>();
        var stages = store.stageRows().stages(c, runId);
        Pipeline pinned;
        try {
            pinned = pipelines.pinned(c, run.pipeline(), run.revision());
            qualifiedNames(pinned.stages(), "", order);
        } catch (IllegalStateException e) {
            // its stored text no longer loads (the run failed, saying so): the rows are shown as stored
            pinned = null;
            stages.forEach(st -> order.add(st.name()));
        }
        var tickets = new RunViews.StageTickets(
                PAGES.firstOfEachStage(c, runId, perStage), PAGES.counts(c, runId), PAGES.usageByStage(c, runId));
        ObjectNode view = RunViews.full(run, stages, tickets, order);
        view.set("graph", pinned == null ? Json.MAPPER.createArrayNode() : RunViews.graph(pinned.stages(), ""));
        return UsageViews.addToRun(view, USAGE.run(c, runId).orElse(null), pinned == null ? null : pinned.budget());
    }

    /** Stage names in file order; a loop's inner stages follow it as {@code loop/inner}. */
    private static void qualifiedNames(List<Stage> stages, String prefix, List<String> into) {
        for (Stage st : stages) {
            into.add(prefix + st.name());
            if (st instanceof dev.baton.pipeline.LoopStage loop) {
                qualifiedNames(loop.stages(), prefix + st.name() + "/", into);
            }
        }
    }

    /** The approvers listed on a run's approval stage (empty: anyone may decide). */
    public List<String> approvers(String runId, String stage) {
        return tx.run(c -> {
            RunRow run = store.run(c, runId).orElseThrow(() -> Problem.notFound("run '" + runId + "' does not exist"));
            return pipelines
                    .pinned(c, run.pipeline(), run.revision())
                    .stage(stage)
                    .filter(s -> s instanceof dev.baton.pipeline.ApprovalStage)
                    .map(s -> ((dev.baton.pipeline.ApprovalStage) s).approvers())
                    .orElse(List.of());
        });
    }

    /** Tickets, history and events of a run, a page at a time. */
    public RunPages pages() {
        return pages;
    }

    /**
     * {@code GET /api/runs}: a page of runs, newest first, as {@code {"items": [...], "next": cursor|null}}. The
     * cursor is opaque (base64url of the last run's creation time and id, and the filters it was made for), so the
     * next page starts exactly after the last run shown, whatever started meanwhile.
     */
    public ObjectNode list(String pipeline, String status, int limit, String cursor) {
        return list(pipeline, status, null, limit, cursor);
    }

    /** As {@link #list(String, String, int, String)}, keeping only runs whose params contain {@code text}. */
    public ObjectNode list(String pipeline, String status, String text, int limit, String cursor) {
        if (text != null && (text.isBlank() || text.length() > 200)) {
            throw Problem.badRequest("q must be 1 to 200 characters", List.of());
        }
        if (status != null) {
            try {
                RunStatus.valueOf(status);
            } catch (IllegalArgumentException e) {
                throw Problem.badRequest(
                        "status '" + status + "' is unknown",
                        List.of("use one of " + java.util.Arrays.toString(RunStatus.values())));
            }
        }
        if (limit < 1 || limit > 1000) {
            throw Problem.badRequest("limit must be from 1 to 1000", List.of());
        }
        RunCursor after = cursor == null ? null : RunCursor.decode(cursor, pipeline, status, text);
        return tx.run(c -> {
            // One more than asked tells whether there is a next page without a count.
            List<RunRow> rows = store.runs(
                    c,
                    pipeline,
                    status,
                    text,
                    limit + 1,
                    after == null ? null : after.createdAt(),
                    after == null ? null : after.id());
            ObjectNode page = Json.object();
            ArrayNode items = page.putArray("items");
            rows.stream().limit(limit).forEach(r -> items.add(RunViews.summary(r)));
            RunRow last = rows.size() > limit ? rows.get(limit - 1) : null;
            page.put(
                    "next",
                    last == null ? null : new RunCursor(last.createdAt(), last.id()).encode(pipeline, status, text));
            return page;
        });
    }

    public StartOutcome start(String pipelineName, String body, String idempotencyKey) {
        return start(pipelineName, body, idempotencyKey, null);
    }

    /**
     * Starts a run as {@code POST /api/pipelines/{name}/runs} does, for a submission over JMS; see {@link
     * StartRequests#start}.
     *
     * @throws AlreadySubmittedException when this very message already started a run (a redelivery)
     */
    public StartOutcome start(
            String pipelineName, String body, String idempotencyKey, RunEngine.Submission submission) {
        return starts.start(pipelineName, body, idempotencyKey, submission);
    }

    /** {@code GET /api/pipelines}: the loaded pipelines with what they spent, and the files that do not load. */
    public ObjectNode pipelines() {
        return pipelineViews.pipelines();
    }

    /** {@code GET /api/pipelines/{name}}. */
    public ObjectNode pipeline(String name) {
        return pipelineViews.pipeline(name);
    }
}
