package dev.baton.runtime;

import dev.baton.ticket.Rows.Outgoing;
import dev.baton.ticket.Tx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.apache.camel.Exchange;

/**
 * Group commit of agent replies. Each results consumer hands its reply to the lane of the reply's run; one consumer at
 * a time per lane takes every reply waiting there, applies them in one database transaction and relays their messages
 * together, then lets the others acknowledge theirs. The next batch's transaction may run while a batch is relayed.
 * Nothing waits for a batch to fill: an idle lane applies a lone reply at once, and a busy one gathers whatever arrived
 * while its previous batch was being applied.
 *
 * <p>A run's replies always take the same lane, so two lanes never lock the same run and never wait on each other; a
 * run with thousands of replies in flight holds one lane, applies them a batch per lock, and delays only the runs that
 * share its lane, by at most one batch.
 */
final class ReplyLanes {
    /** The most replies one transaction applies. */
    static final int MAX_BATCH = 64;

    /** Applies one reply inside the transaction of the batch; answers the messages its transition emits. */
    @FunctionalInterface
    interface Applier {
        List<Outgoing> apply(Exchange reply);
    }

    /** Batches applied, and the replies in them, since start (for the benchmark's replies per transaction). */
    private final java.util.concurrent.atomic.LongAdder batches = new java.util.concurrent.atomic.LongAdder();

    private final java.util.concurrent.atomic.LongAdder replies = new java.util.concurrent.atomic.LongAdder();

    private final Lane[] lanes;
    private final Tx tx;
    private final Applier applier;
    private final Consumer<List<Outgoing>> relay;

    /**
     * @param lanes how many batches may be applied at once
     * @param relay sends what a committed batch emitted, before its replies are acknowledged
     */
    ReplyLanes(int lanes, Tx tx, Applier applier, Consumer<List<Outgoing>> relay) {
        this.lanes = new Lane[lanes];
        for (int i = 0; i < lanes; i++) {
            this.lanes[i] = new Lane();
        }
        this.tx = tx;
        this.applier = applier;
        this.relay = relay;
    }

    /**
     * Applies the reply on {@code ex} in its run's lane and returns once it has committed and its messages have been
     * relayed. A failure of its own application (a poison reply) or of the relay is thrown here, on the consumer's
     * thread, so that its route parks or rolls back that reply alone.
     */
    void apply(Exchange ex, String runId) {
        Member m = new Member(ex);
        lanes[Math.floorMod(runId.hashCode(), lanes.length)].apply(m);
        if (m.alone) {
            // The batch it was in rolled back: each of its replies is applied again on its own.
            relay.accept(tx.run(c -> applier.apply(ex)));
        } else if (m.failure != null) {
            throw m.failure;
        }
    }

    /** Replies applied per database transaction since start, on average (0 before the first). */
    double repliesPerBatch() {
        long b = batches.sum();
        return b == 0 ? 0 : (double) replies.sum() / b;
    }

    /** Replies waiting in the lanes for the batch being applied there to end. */
    int waiting() {
        int n = 0;
        for (Lane lane : lanes) {
            synchronized (lane) {
                n += lane.waiting.size();
            }
        }
        return n;
    }

    /** One reply waiting in a lane, and what became of it. */
    private static final class Member {
        final Exchange ex;
        /** In a batch: applied or being applied, not to be taken again. */
        boolean taken;
        /** Its batch ended (committed and relayed, or rolled back); its consumer may go on. */
        boolean done;

        boolean alone;
        RuntimeException failure;

        Member(Exchange ex) {
            this.ex = ex;
        }
    }

    /**
     * Replies of the runs hashed here, and whether a consumer is applying a batch of them. A batch's relay may overlap
     * the next batch's transaction, which only needs the database: the transaction of batch N+1 reads what batch N
     * committed, and the lane's batches are relayed one at a time, in the order they committed. (A reply applied again
     * on its own after its batch rolled back is relayed by its consumer, and what a failed relay left is sent by the
     * outbox sweep, either of them in no particular order: events carry their run's {@code seq}.) Each batch's replies
     * are still acknowledged only once its own messages are relayed.
     */
    private final class Lane {
        private final ArrayDeque<Member> waiting = new ArrayDeque<>();
        private boolean applying;
        /** Held by the batch being relayed; taken before the next transaction may begin, so relays keep its order. */
        private final ReentrantLock relaying = new ReentrantLock();

        void apply(Member m) {
            List<Member> batch;
            synchronized (this) {
                waiting.add(m);
                while (!m.done && (m.taken || applying)) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        // This consumer rolls its message back. Still queued, its reply is applied by whoever leads
                        // next; already in a batch, it commits and is relayed with it: the redelivery is then skipped
                        // by the inbox.
                        throw new IllegalStateException("interrupted while its batch was applied", e);
                    }
                }
                if (m.done) {
                    return;
                }
                applying = true;
                batch = new ArrayList<>();
                waiting.remove(m);
                batch.add(m);
                while (batch.size() < MAX_BATCH && !waiting.isEmpty()) {
                    batch.add(waiting.poll());
                }
                batch.forEach(b -> b.taken = true);
            }
            boolean turn = false;
            try {
                List<Outgoing> out;
                try {
                    out = commit(batch);
                    if (out != null) {
                        // Before the next transaction may begin: its relay then waits for this one's.
                        relaying.lock();
                        turn = true;
                    }
                } finally {
                    synchronized (this) {
                        applying = false;
                        notifyAll();
                    }
                }
                if (turn) {
                    relay.accept(out);
                }
            } catch (RuntimeException | Error e) {
                // The relay failed (committed, not relayed), or an Error came out of the commit or the relay: every
                // reply of the batch rolls back and is redelivered, the inbox skips what committed and the outbox
                // sweep sends what it emitted. Each consumer throws it on its own thread; none is left waiting.
                RuntimeException failure =
                        e instanceof RuntimeException r ? r : new IllegalStateException(e.toString(), e);
                batch.forEach(b -> b.failure = failure);
            } finally {
                if (turn) {
                    relaying.unlock();
                }
                synchronized (this) {
                    batch.forEach(b -> b.done = true);
                    notifyAll();
                }
            }
        }

        /** Applies the batch in one transaction; answers what it emitted, or null when it rolled back. */
        private List<Outgoing> commit(List<Member> batch) {
            batches.increment();
            replies.add(batch.size());
            try {
                return tx.run(c -> {
                    List<Outgoing> all = new ArrayList<>();
                    for (Member m : batch) {
                        all.addAll(applier.apply(m.ex));
                    }
                    return all;
                });
            } catch (RuntimeException e) {
                if (batch.size() == 1) {
                    batch.get(0).failure = e;
                } else {
                    batch.forEach(b -> b.alone = true);
                }
                return null;
            }
        }
    }
}
