package dev.baton.ticket;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a unit of work in one JDBC transaction: commit on return, rollback on any throwable. */
public final class Tx {
    private static final Logger LOG = LoggerFactory.getLogger(Tx.class);
    /** Per thread, one list per transaction in progress (innermost first) of what to do once it has committed. */
    private static final ThreadLocal<Deque<List<Runnable>>> AFTER_COMMIT = ThreadLocal.withInitial(ArrayDeque::new);

    /** Work done with the transaction's connection. */
    @FunctionalInterface
    public interface Work<T> {
        T apply(Connection c) throws SQLException;
    }

    /** The connection of the transaction this thread is in, for code that cannot be handed it (a Camel SPI). */
    private static final ThreadLocal<Connection> CURRENT = new ThreadLocal<>();

    private final DataSource dataSource;

    public Tx(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public <T> T run(Work<T> work) {
        Deque<List<Runnable>> pending = AFTER_COMMIT.get();
        List<Runnable> mine = new ArrayList<>();
        pending.push(mine);
        T result;
        Connection outer = CURRENT.get();
        try (Connection c = dataSource.getConnection()) {
            CURRENT.set(c);
            try {
                result = work.apply(c);
                c.commit();
            } catch (Throwable e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        } finally {
            CURRENT.set(outer);
            pending.pop();
        }
        for (Runnable r : mine) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.warn("after commit: {}", e.toString());
            }
        }
        return result;
    }

    /**
     * Runs {@code action} once the transaction this thread is in has committed, and never when it rolls back (what
     * a metric counts must have happened); outside a transaction, at once.
     */
    public static void afterCommit(Runnable action) {
        List<Runnable> current = AFTER_COMMIT.get().peek();
        if (current == null) {
            action.run();
        } else {
            current.add(action);
        }
    }

    /** The connection of the transaction this thread is in. */
    public static Connection current() {
        Connection c = CURRENT.get();
        if (c == null) {
            throw new IllegalStateException("not in a transaction");
        }
        return c;
    }

    public DataSource dataSource() {
        return dataSource;
    }
}
