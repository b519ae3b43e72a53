package dev.baton.runtime;

import dev.baton.ticket.RunStore;
import dev.baton.ticket.StoreException;
import dev.baton.ticket.Tx;
import java.sql.SQLException;
import java.time.Clock;
import org.apache.camel.spi.IdempotentRepository;

/**
 * The inbox table as Camel's {@link IdempotentRepository}: the results route's idempotent consumer records each
 * reply's message id with the connection of the transaction that applies it, so "applied" and "recorded" commit
 * (or roll back) together, and a redelivered reply is skipped.
 */
final class InboxRepository implements IdempotentRepository {
    private final RunStore store;
    private final Clock clock;

    InboxRepository(RunStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    @Override
    public boolean add(String messageId) {
        try {
            return store.inbox().firstDelivery(Tx.current(), messageId, clock.instant());
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    @Override
    public boolean contains(String messageId) {
        try {
            return store.inbox().delivered(Tx.current(), messageId);
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    @Override
    public boolean remove(String messageId) {
        try {
            store.inbox().forgetDelivery(Tx.current(), messageId);
            return true;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    @Override
    public boolean confirm(String messageId) {
        return true; // recorded in the transaction that applied it: nothing to confirm apart
    }

    @Override
    public void clear() {
        throw new UnsupportedOperationException("the inbox is pruned by age, never cleared");
    }

    @Override
    public void start() {
        // the table is the state: nothing to open
    }

    @Override
    public void stop() {
        // nor to close
    }
}
