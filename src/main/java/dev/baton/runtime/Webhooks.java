package dev.baton.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.compile.Endpoints;
import dev.baton.config.BatonSettings.WebhookSettings;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.Notify;
import dev.baton.ticket.OutboxStore;
import dev.baton.ticket.Rows.HistoryRow;
import dev.baton.ticket.Rows.Outgoing;
import dev.baton.ticket.Tx;
import dev.baton.ticket.WebhookStore;
import dev.baton.ticket.WebhookStore.Attempt;
import dev.baton.ticket.WebhookStore.Delivery;
import dev.baton.ticket.WebhookStore.Status;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Webhook deliveries of run outcomes. A delivery row and its first attempt message are written with the transition
 * that reached the outcome; each attempt POSTs the event, is recorded, and on failure schedules the next attempt as
 * a broker message delivered after the back-off, until one succeeds or the attempts run out.
 */
public final class Webhooks {
    private static final String RUN = "RUN_";

    private final Tx tx;
    private final WebhookStore store;
    private final OutboxStore outbox;
    private final WebhookSettings settings;
    private final WebhookClient client;
    private final Clock clock;

    public Webhooks(Tx tx, WebhookStore store, OutboxStore outbox, WebhookSettings settings, Clock clock) {
        this.tx = tx;
        this.store = store;
        this.outbox = outbox;
        this.settings = settings;
        this.client = new WebhookClient(settings.timeout());
        this.clock = clock;
    }

    /** In the transition: a run outcome the run's pipeline revision notifies becomes a delivery. */
    void record(Step s, HistoryRow h, ObjectNode event) throws SQLException {
        Notify notify = s.pipeline == null ? null : s.pipeline.notification();
        if (notify == null
                || !h.status().startsWith(RUN)
                || !notify.wants(h.status().substring(RUN.length()))) {
            return;
        }
        String eventId = event.path("id").asText();
        String id = UUID.nameUUIDFromBytes(("baton-webhook/" + eventId).getBytes(StandardCharsets.UTF_8))
                .toString();
        String outcome =
                Notify.Outcome.ofRunStatus(h.status().substring(RUN.length())).yaml();
        store.insert(
                s.c,
                new Delivery(
                        id,
                        h.runId(),
                        eventId,
                        outcome,
                        notify.webhook().toString(),
                        Json.write(event),
                        Status.PENDING,
                        0,
                        settings.retry().maxAttempts(),
                        s.now,
                        s.now,
                        s.now));
        Outgoing first = message(id, 1, s.now);
        outbox.add(s.c, first, s.now);
        s.outgoing.add(first);
    }

    /**
     * Makes attempt {@code n} of a delivery; returns the messages to send after the commit (the next attempt, when
     * this one failed and another is allowed). A copy of an attempt already recorded is ignored. The POST happens
     * outside any DB transaction; a crash after it and before the record repeats it (at least once: receivers
     * deduplicate on the {@code Baton-Event-Id} header).
     */
    public List<Outgoing> attempt(String deliveryId, int n) {
        Delivery d = tx.run(c -> store.find(c, deliveryId))
                .orElseThrow(() -> new PoisonMessageException("unknown webhook delivery " + deliveryId));
        if (!due(d, n)) {
            return List.of();
        }
        Instant started = clock.instant();
        WebhookClient.Result r = client.post(URI.create(d.url()), d.payload(), d.eventId(), d.id(), n);
        Instant finished = clock.instant();
        return tx.run(c -> {
            Delivery current = store.lock(c, deliveryId).orElseThrow();
            if (!due(current, n)) {
                return List.of();
            }
            Attempt a = new Attempt(deliveryId, n, started, finished, r.statusCode(), r.error());
            if (r.ok()) {
                store.attempted(c, a, current.attempted(n, Status.DELIVERED, null, finished));
                return List.of();
            }
            if (n >= current.maxAttempts()) {
                store.attempted(c, a, current.attempted(n, Status.FAILED, null, finished));
                return List.of();
            }
            Instant next = finished.plus(backoff(n));
            store.attempted(c, a, current.attempted(n, Status.PENDING, next, finished));
            return List.of(queue(c, message(deliveryId, n + 1, next), finished));
        });
    }

    /** The wait after failed attempt {@code n}: the first wait, doubling each time, up to the maximum. */
    Duration backoff(int n) {
        return settings.retry().delayBefore(n + 1);
    }

    private static boolean due(Delivery d, int n) {
        return d.status() == Status.PENDING && d.attempts() < n;
    }

    private Outgoing queue(Connection c, Outgoing m, Instant now) throws SQLException {
        outbox.add(c, m, now);
        return m;
    }

    private static Outgoing message(String deliveryId, int attempt, Instant at) {
        String body = Json.write(Json.object().put("deliveryId", deliveryId).put("attempt", attempt));
        return new Outgoing(
                UUID.randomUUID().toString(),
                Endpoints.queue(Endpoints.WEBHOOKS),
                body,
                deliveryId,
                null,
                4,
                at.toEpochMilli(),
                0);
    }
}
