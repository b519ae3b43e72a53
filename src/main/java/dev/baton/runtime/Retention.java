package dev.baton.runtime;

import dev.baton.ticket.RetentionStore;
import dev.baton.ticket.Tx;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes runs that finished before a cut-off, with their stages, tickets, history and deliveries: a bounded batch of
 * runs per transaction, so the store shrinks without one transaction holding the whole history.
 */
public final class Retention {
    private static final Logger LOG = LoggerFactory.getLogger(Retention.class);
    /** Runs deleted per transaction; a for_each run can bring thousands of ticket and history rows with it. */
    public static final int BATCH = 100;

    private final Tx tx;
    private final RetentionStore store;
    private final int batch;

    /** What one purge did: runs deleted, in how many transactions. */
    public record Purged(Instant before, int runs, int batches) {}

    public Retention(Tx tx, RetentionStore store, int batch) {
        this.tx = tx;
        this.store = store;
        this.batch = batch;
    }

    /** Deletes every run that finished before {@code before}; never one that is RUNNING or COMPENSATING. */
    public Purged purge(Instant before) {
        int runs = 0;
        int batches = 0;
        while (true) {
            List<String> ids = tx.run(c -> store.finishedBefore(c, before, batch));
            if (ids.isEmpty()) {
                break;
            }
            int deleted = tx.run(c -> {
                int n = 0;
                for (String id : ids) {
                    if (store.delete(c, id, before)) n++;
                }
                return n;
            });
            runs += deleted;
            batches++;
            // Fewer than found: the rest were revived by a rerun or got a delivery meanwhile; the next purge sees them.
            if (ids.size() < batch || deleted < ids.size()) {
                break;
            }
        }
        if (runs > 0) {
            LOG.info("deleted {} finished run(s) that ended before {} ({} transaction(s))", runs, before, batches);
        }
        return new Purged(before, runs, batches);
    }
}
