package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.compile.Endpoints;
import dev.baton.compile.PipelineCatalog;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.Params;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.Schedule;
import dev.baton.ticket.Rows.Outgoing;
import dev.baton.ticket.Rows.ScheduleRow;
import dev.baton.ticket.ScheduleStore;
import dev.baton.ticket.StoreException;
import dev.baton.ticket.Tx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires pipeline schedules. Each tick is a persistent message on {@link Endpoints#SCHEDULE}, scheduled by the broker
 * for its fire time; whoever consumes it starts the run and sends the next tick. Exactly once per tick, with any
 * number of instances: a tick message's duplicate-detection id is pipeline + chain + time, so the broker keeps one
 * copy however many instances send it, and the run's idempotency key is pipeline + time, so the database keeps one
 * run however often the tick is delivered.
 */
public final class Scheduler {
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    private static final int PRIORITY = 4;

    /** When a tick counts as missed: it came due longer than {@code threshold} ago (as Quartz's misfire threshold). */
    public record Misfire(Clock clock, Duration threshold) {
        boolean missed(Instant tick) {
            return Duration.between(tick, clock.instant()).compareTo(threshold) > 0;
        }
    }

    /** What a tick message carries; no revision, so that a tick outlives edits that keep the cron and zone. */
    record Tick(String pipeline, String chain, Instant at) {
        static Tick parse(String body) {
            try {
                JsonNode n = Json.parse(body);
                return new Tick(
                        n.path("pipeline").asText(),
                        n.path("chain").asText(),
                        Instant.parse(n.path("tick").asText()));
            } catch (IllegalArgumentException | DateTimeParseException | NullPointerException e) {
                throw new PoisonMessageException("schedule tick is not {pipeline, chain, tick}: " + body);
            }
        }

        Outgoing message() {
            String body = Json.write(
                    Json.object().put("pipeline", pipeline).put("chain", chain).put("tick", at.toString()));
            String id = "tick:" + pipeline + ":" + chain + ":" + at.toEpochMilli();
            return new Outgoing(
                    id, Endpoints.queue(Endpoints.SCHEDULE), body, null, null, PRIORITY, at.toEpochMilli(), 0);
        }
    }

    private final Tx tx;
    private final ScheduleStore store = new ScheduleStore();
    private final PipelineCatalog pipelines;
    private final RunEngine engine;
    private final OutboxRelay relay;
    private final Misfire misfire;
    private volatile boolean started;

    public Scheduler(Tx tx, PipelineCatalog pipelines, RunEngine engine, OutboxRelay relay, Misfire misfire) {
        this.tx = tx;
        this.pipelines = pipelines;
        this.engine = engine;
        this.relay = relay;
        this.misfire = misfire;
    }

    /** The idempotency key of the run a tick starts: the same tick always means the same run. */
    public static String runKey(String pipeline, Instant tick) {
        return "schedule:" + pipeline + "@" + tick;
    }

    /**
     * A pipeline was loaded: its schedule becomes the current one (the database row that every instance checks
     * ticks against) and its next tick is sent, or, without a schedule, ticks already queued will be dropped.
     */
    public void loaded(Pipeline p) {
        if (p.schedule() == null) {
            unloaded(p.name());
            return;
        }
        ScheduleRow row = new ScheduleRow(p.name(), p.schedule().chain(), p.revision());
        try {
            put(row);
        } catch (StoreException e) {
            if (!e.uniqueViolation()) throw e;
            put(row); // another instance inserted the row first: now this one updates it
        }
        if (started) {
            seed(p);
        }
    }

    public void unloaded(String pipeline) {
        tx.run(c -> {
            store.remove(c, pipeline);
            return null;
        });
    }

    /**
     * Forgets the schedules of pipelines whose file went while Baton was down, so that their queued ticks are dropped;
     * called after the first scan of routes/ and before ticks are consumed.
     */
    public void forgetAllBut(Collection<Pipeline> loaded) {
        List<String> names = loaded.stream().map(Pipeline::name).toList();
        for (String gone : tx.run(store::pipelines).stream()
                .filter(n -> !names.contains(n))
                .toList()) {
            LOG.info("schedule of '{}' stopped: the pipeline is no longer in routes/", gone);
            unloaded(gone);
        }
    }

    /** Called once the relay route runs: sends the next tick of every loaded schedule (a no-op where it is queued). */
    public void start(Collection<Pipeline> loaded) {
        started = true;
        loaded.stream().filter(p -> p.schedule() != null).forEach(this::seed);
    }

    /** The next fire time of a schedule, as the API shows it. */
    public Optional<Instant> nextFireTime(Schedule s) {
        return s.nextAfter(misfire.clock().instant());
    }

    /**
     * A tick came due: drops it when its chain is no longer current, else starts the run (or, for a missed tick,
     * follows the schedule's {@code missed} rule) and sends the next tick. Called before the consumer's JMS
     * transaction acknowledges the tick: a crash before that redelivers the tick, and both steps are idempotent (the
     * next tick is sent outside that transaction, so that a duplicate of it is dropped rather than failing the commit).
     */
    public void onTick(String body) {
        Tick tick = Tick.parse(body);
        Optional<ScheduleRow> row = tx.run(c -> store.find(c, tick.pipeline()));
        if (row.isEmpty() || !row.get().chain().equals(tick.chain())) {
            LOG.info(
                    "schedule tick {} of '{}' dropped: the schedule was changed or removed",
                    tick.at(),
                    tick.pipeline());
            return;
        }
        Pipeline p = tx.run(c -> pipelines.pinned(c, tick.pipeline(), row.get().revision()));
        Schedule s = p.schedule();
        if (s == null || !s.chain().equals(tick.chain())) {
            LOG.warn(
                    "schedule tick {} of '{}' dropped: revision {} has another schedule",
                    tick.at(),
                    p.name(),
                    p.revision());
            return;
        }
        Instant now = misfire.clock().instant();
        boolean missed = misfire.missed(tick.at());
        Instant fire = tick.at();
        if (missed) {
            fire = s.missed() == Schedule.Missed.ONCE ? s.lastAtOrBefore(now).orElse(null) : null;
            LOG.info(
                    "schedule tick {} of '{}' was missed (due more than {} ago): {}",
                    tick.at(),
                    p.name(),
                    misfire.threshold(),
                    fire == null ? "skipped" : "one run for " + fire);
        }
        if (fire != null) {
            startRun(p, s, fire);
        }
        s.nextAfter(missed ? now : tick.at())
                .ifPresent(next -> relay.emit(List.of(new Tick(p.name(), s.chain(), next).message())));
    }

    private void startRun(Pipeline p, Schedule s, Instant fire) {
        String key = runKey(p.name(), fire);
        ObjectNode given = s.params();
        String requestHash = Json.sha256(p.name() + "\n" + Json.canonical(given));
        Params.Resolution params = Params.resolve(p, given);
        if (!params.ok()) {
            LOG.error("schedule of '{}' cannot start a run: {}", p.name(), params.problems()); // checked at load
            return;
        }
        try {
            var earlier = engine.earlier(key, p.name(), requestHash);
            if (earlier.isPresent()) {
                // A tick redelivered after a crash, or a second chain converging on the same time: rare, so shown.
                LOG.info(
                        "schedule tick {} of '{}' already started run {}",
                        fire,
                        p.name(),
                        earlier.get().id());
                return;
            }
            RunEngine.Started started = engine.start(p, params.params(), key, requestHash);
            if (!started.replayed()) {
                LOG.info(
                        "schedule of '{}' started run {} for {}",
                        p.name(),
                        started.run().id(),
                        fire);
                relay.sendOrLeaveToSweep(started.run().id(), started.outgoing());
            }
        } catch (IdempotencyConflictException e) {
            LOG.warn("schedule tick {} of '{}': {}", fire, p.name(), e.getMessage());
        }
    }

    private void seed(Pipeline p) {
        Schedule s = p.schedule();
        nextFireTime(s).ifPresent(next -> relay.emit(List.of(new Tick(p.name(), s.chain(), next).message())));
    }

    private void put(ScheduleRow row) {
        tx.run(c -> {
            store.put(c, row, misfire.clock().instant());
            return null;
        });
    }
}
