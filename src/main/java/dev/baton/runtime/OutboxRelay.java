package dev.baton.runtime;

import dev.baton.compile.Endpoints;
import dev.baton.ticket.OutboxStore;
import dev.baton.ticket.Rows.Outgoing;
import dev.baton.ticket.Tx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands committed outbox messages to the broker (through the relay route, which sends a transition's messages
 * through one session: {@link OutboxSends}), then deletes them: the rows of messages sent are deleted
 * together, a few times a second, in one transaction rather than one per transition. A crash in between leaves the
 * rows, which the sweep re-sends; the broker drops the copies by their duplicate-detection id.
 */
public final class OutboxRelay {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
    private static final int SWEEP_BATCH = 500;
    /** The most rows one delete names; as many ids waiting are deleted at once, without waiting for the timer. */
    static final int DELETE_BATCH = 500;

    private final ProducerTemplate producer;
    private final Tx tx;
    private final OutboxStore outbox;
    private final Faults faults;
    private final Clock clock;
    private final OutboxSends sends;
    /** Ids of messages sent whose outbox rows are not deleted yet. */
    private final java.util.concurrent.ConcurrentLinkedQueue<String> sent =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    private final java.util.concurrent.atomic.AtomicInteger sentCount = new java.util.concurrent.atomic.AtomicInteger();
    /** One delete at a time: the timer's and a sender's do not wait for each other, one of them skips. */
    private final java.util.concurrent.locks.ReentrantLock deleting = new java.util.concurrent.locks.ReentrantLock();
    /** The last delete failed: only the timer tries again, so that every sender does not wait on a failing one. */
    private volatile boolean deleteFailed;

    /**
     * Runs a send of several messages in one JMS transaction of the relay's connection factory: the broker then
     * syncs its journal once for all of them instead of once per message.
     */
    @FunctionalInterface
    public interface Batch {
        void inOneTransaction(Runnable sends);
    }

    public OutboxRelay(
            ProducerTemplate producer, Tx tx, OutboxStore outbox, Faults faults, Clock clock, OutboxSends sends) {
        this.producer = producer;
        this.tx = tx;
        this.outbox = outbox;
        this.faults = faults;
        this.clock = clock;
        this.sends = sends;
    }

    /** How it makes one transaction of a transition's sends (tests roll one back). */
    public Batch batch() {
        return sends.batch();
    }

    /** What the relay route sends with. */
    OutboxSends sends() {
        return sends;
    }

    /**
     * Sends a committed transition's messages through the relay route, in one JMS transaction, then deletes their
     * outbox rows.
     */
    public void send(List<Outgoing> messages) {
        if (messages.isEmpty()) {
            return;
        }
        if (messages.size() == 1) {
            sendEach(messages);
            return;
        }
        try {
            sends.batch().inOneTransaction(() -> producer.sendBody(Endpoints.RELAY, messages));
        } catch (RuntimeException e) {
            // The broker ignores a whole transaction when one of its messages is a duplicate (the sweep got to some of
            // these rows first): one at a time, a copy is dropped and the others go.
            LOG.debug(
                    "outbox: the transaction of {} message(s) failed ({}); sending them one by one",
                    messages.size(),
                    e.getMessage());
            producer.sendBody(Endpoints.RELAY, messages);
        }
        afterSend(messages);
    }

    /** Sends each message on its own, then deletes their outbox rows: a copy of a message already sent is dropped. */
    private void sendEach(List<Outgoing> messages) {
        producer.sendBody(Endpoints.RELAY, messages);
        afterSend(messages);
    }

    private void afterSend(List<Outgoing> messages) {
        faults.pass(Faults.AFTER_SEND);
        messages.forEach(m -> sent.add(m.id()));
        // Many waiting: deleted now rather than at the next tick, unless the last delete failed (the timer then
        // tries again, not every sender) or another thread is deleting.
        if (sentCount.addAndGet(messages.size()) >= DELETE_BATCH && !deleteFailed) {
            deleteSent();
        }
    }

    /**
     * Deletes the outbox rows of the messages sent so far (the delete timer calls it, and Baton once more as it
     * stops); a delete that fails leaves its ids for the next call. Returns how many ids it deleted.
     */
    public int deleteSent() {
        if (!deleting.tryLock()) {
            return 0; // another thread is at it
        }
        try {
            return deleteWaiting();
        } finally {
            deleting.unlock();
        }
    }

    private int deleteWaiting() {
        int deleted = 0;
        List<String> ids;
        while (!(ids = take()).isEmpty()) {
            List<String> batchIds = ids;
            try {
                tx.run(c -> {
                    outbox.delete(c, batchIds);
                    return null;
                });
            } catch (RuntimeException e) {
                sent.addAll(batchIds);
                sentCount.addAndGet(batchIds.size());
                deleteFailed = true;
                LOG.warn(
                        "outbox: deleting the rows of {} sent message(s) failed, tried again later: {}",
                        ids.size(),
                        e.getMessage());
                break;
            }
            deleted += ids.size();
            deleteFailed = false;
        }
        return deleted;
    }

    private List<String> take() {
        List<String> ids = new java.util.ArrayList<>();
        String id;
        while (ids.size() < DELETE_BATCH && (id = sent.poll()) != null) {
            ids.add(id);
        }
        // In one order everywhere: two instances deleting rows they both sent (a starting instance's sweep re-sends
        // every row) lock them in the same order and never deadlock.
        java.util.Collections.sort(ids);
        sentCount.addAndGet(-ids.size());
        return ids;
    }

    /**
     * {@link #send} for the first messages of a run that is already committed: a failure is logged, not thrown, since
     * the rows stay in the outbox for the sweep, and an error would invite a caller to start the run again.
     */
    public void sendOrLeaveToSweep(String runId, List<Outgoing> messages) {
        try {
            send(messages);
        } catch (RuntimeException e) {
            LOG.warn("run {} started; its first tickets will be sent by the outbox sweep: {}", runId, e.getMessage());
        }
    }

    /**
     * Sends messages that have no outbox row, such as schedule ticks: a repeat of one (a redelivered tick, another
     * instance seeding the same tick) is dropped by the broker on its duplicate-detection id.
     */
    public void emit(List<Outgoing> messages) {
        if (!messages.isEmpty()) {
            producer.sendBody(Endpoints.RELAY, messages);
        }
    }

    /** Sends rows older than {@code minAge}: those a crash or a failed send left behind. */
    public int sweep(Duration minAge) {
        List<Outgoing> left = tx.run(c -> outbox.pending(c, clock.instant().minus(minAge), SWEEP_BATCH));
        if (!left.isEmpty()) {
            LOG.info("outbox: re-sending {} message(s) left by an interrupted transition", left.size());
            sendEach(left); // some may have been sent before the interruption
        }
        return left.size();
    }
}
