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
    /** Per thread, the transactions in progress, innermost first. */
    private static final ThreadLocal<Deque<Frame>> FRAMES = ThreadLocal.withInitial(ArrayDeque::new);

    /** Something a transaction gathers as it goes and writes once, just before it commits. */
    public interface BeforeCommit {
        void flush(Connection c) throws SQLException;
    }

    /** One transaction in progress: its connection, what it writes before and does after it commits. */
    private static final class Frame {
        final Connection c;
        final List<Runnable> afterCommit = new ArrayList<>();
        final java.util.Map<Class<?>, BeforeCommit> beforeCommit = new java.util.LinkedHashMap<>();

        Frame(Connection c) {
            this.c = c;
        }
    }

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
        Deque<Frame> frames = FRAMES.get();
        T result;
        Frame mine;
        Connection outer = CURRENT.get();
        try (Connection c = dataSource.getConnection()) {
            mine = new Frame(c);
            frames.push(mine);
            CURRENT.set(c);
            try {
                result = work.apply(c);
                for (BeforeCommit b : mine.beforeCommit.values()) {
                    b.flush(c);
                }
                c.commit();
            } catch (Throwable e) {
                c.rollback();
                throw e;
            } finally {
                frames.pop();
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        } finally {
            CURRENT.set(outer);
        }
        for (Runnable r : mine.afterCommit) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.warn("after commit: {}", e.toString());
            }
        }
        return result;
    }

    /**
     * What the transaction of {@code c} gathers under {@code type}, made by {@code create} on first use and flushed
     * just before that transaction commits; null when {@code c} is not the connection of a transaction this thread
     * runs (the caller then writes at once).
     */
    public static <T extends BeforeCommit> T gathered(
            Connection c, Class<T> type, java.util.function.Supplier<T> create) {
        Frame f = FRAMES.get().peek();
        if (f == null || f.c != c) {
            return null;
        }
        return type.cast(f.beforeCommit.computeIfAbsent(type, k -> create.get()));
    }

    /**
     * Runs {@code work} in the transaction this thread is in, which commits or rolls back with it; outside one, in a
     * transaction of its own ({@link #run}).
     */
    public <T> T join(Work<T> work) {
        Connection c = CURRENT.get();
        if (c == null) {
            return run(work);
        }
        try {
            return work.apply(c);
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /**
     * Runs {@code action} once the transaction this thread is in has committed, and never when it rolls back (what
     * a metric counts must have happened); outside a transaction, at once.
     */
    public static void afterCommit(Runnable action) {
        Frame current = FRAMES.get().peek();
        if (current == null) {
            action.run();
        } else {
            current.afterCommit.add(action);
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
