package dev.baton.api;

import dev.baton.compile.Endpoints;
import dev.baton.ticket.TicketTimes;
import dev.baton.ticket.Tx;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/metrics} in the Prometheus text format: the counters and histograms the engine records (see
 * {@code RunMetrics}) and gauges read from where the truth is: runs and tickets in flight from the database, queue
 * depths and the dead-letter depth from the broker's management address. Gauges are read at most once per
 * {@link #CACHE_FOR}, however often Prometheus scrapes.
 */
public final class Metrics {
    private static final Logger LOG = LoggerFactory.getLogger(Metrics.class);
    static final Duration CACHE_FOR = Duration.ofSeconds(2);
    private static final Duration MANAGEMENT_TIMEOUT = Duration.ofSeconds(2);
    static final String TICKETS_IN_FLIGHT = "baton.tickets.in.flight";
    static final String RUNS_IN_FLIGHT = "baton.runs.in.flight";
    static final String QUEUE_DEPTH = "baton.queue.depth";
    static final String DEAD_LETTERS = "baton.dead.letters";

    private final PrometheusMeterRegistry registry;
    private final Tx tx;
    private final ConnectionFactory connections;
    private final TicketTimes tickets = new TicketTimes();
    private final MultiGauge ticketsInFlight;
    private final MultiGauge runsInFlight;
    private final MultiGauge queueDepth;
    private final MultiGauge deadLetters;
    private long readAt = Long.MIN_VALUE;

    /**
     * @param registry the registry the engine records into
     * @param connections the factory Baton's Camel consumers use, for the broker's management address
     */
    public Metrics(PrometheusMeterRegistry registry, Tx tx, ConnectionFactory connections) {
        this.registry = registry;
        this.tx = tx;
        this.connections = connections;
        ticketsInFlight = MultiGauge.builder(TICKETS_IN_FLIGHT)
                .description("Tickets QUEUED or RUNNING, per agent (from the database)")
                .register(registry);
        runsInFlight = MultiGauge.builder(RUNS_IN_FLIGHT)
                .description("Runs RUNNING or COMPENSATING, per pipeline (from the database)")
                .register(registry);
        queueDepth = MultiGauge.builder(QUEUE_DEPTH)
                .description("Messages on each of Baton's queues, scheduled ones included (from the broker)")
                .register(registry);
        deadLetters = MultiGauge.builder(DEAD_LETTERS)
                .description("Messages on the dead-letter queue " + Endpoints.DEAD_LETTERS + " (from the broker)")
                .register(registry);
    }

    /** The exposition text (format 0.0.4), with the gauges read afresh unless they were read just now. */
    public String scrape() {
        readGauges();
        return registry.scrape();
    }

    private synchronized void readGauges() {
        long now = System.nanoTime();
        if (readAt != Long.MIN_VALUE && now - readAt < CACHE_FOR.toNanos()) {
            return;
        }
        Map<String, Long> depths = queueDepths();
        Map<String, Integer> inFlight = new TreeMap<>();
        Map<String, Integer> runs = new TreeMap<>();
        tx.run(c -> {
            inFlight.putAll(tickets.inFlight(c));
            runs.putAll(tickets.runsInFlight(c));
            return null;
        });
        // An agent with a queue and nothing in flight is a 0, not a missing series.
        depths.keySet().stream()
                .filter(q -> q.startsWith(Endpoints.AGENT_PREFIX))
                .forEach(q -> inFlight.putIfAbsent(q.substring(Endpoints.AGENT_PREFIX.length()), 0));
        ticketsInFlight.register(rows("agent", inFlight), true);
        runsInFlight.register(rows("pipeline", runs), true);
        Long dead = depths.remove(Endpoints.DEAD_LETTERS);
        queueDepth.register(rows("queue", depths), true);
        deadLetters.register(dead == null ? List.of() : List.of(MultiGauge.Row.of(Tags.empty(), dead)), true);
        readAt = System.nanoTime();
    }

    private static List<MultiGauge.Row<?>> rows(String tag, Map<String, ? extends Number> values) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        values.forEach((k, v) -> rows.add(MultiGauge.Row.of(Tags.of(tag, k), v)));
        return rows;
    }

    /**
     * Message counts of the broker's {@code baton.*} queues; empty when the broker cannot be asked (the series are
     * then left out rather than shown stale).
     */
    private Map<String, Long> queueDepths() {
        Map<String, Long> out = new TreeMap<>();
        try (Connection c = connections.createConnection()) {
            c.start();
            Session session = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            BrokerManagement management = new BrokerManagement(session, MANAGEMENT_TIMEOUT);
            for (String queue : names(management.attribute(Endpoints.MANAGED_BROKER, "queueNames"))) {
                if (!queue.startsWith("baton.")) {
                    continue;
                }
                management
                        .attribute(Endpoints.MANAGED_QUEUE_PREFIX + queue, "messageCount")
                        .filter(Number.class::isInstance)
                        .ifPresent(n -> out.put(queue, ((Number) n).longValue()));
            }
        } catch (Exception e) {
            LOG.debug("metrics: the broker's queue depths could not be read: {}", e.toString());
        }
        return out;
    }

    private static List<String> names(Optional<Object> result) {
        List<String> names = new ArrayList<>();
        result.ifPresent(r -> {
            Collection<?> items =
                    r instanceof Object[] arr ? List.of(arr) : r instanceof Collection<?> col ? col : List.of();
            items.forEach(i -> names.add(String.valueOf(i)));
        });
        return names;
    }
}
