package dev.baton.ticket;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** Runs a unit of work in one JDBC transaction: commit on return, rollback on any throwable. */
public final class Tx {
    /** Work done with the transaction's connection. */
    @FunctionalInterface
    public interface Work<T> {
        T apply(Connection c) throws SQLException;
    }

    private final DataSource dataSource;

    public Tx(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public <T> T run(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            try {
                T result = work.apply(c);
                c.commit();
                return result;
            } catch (Throwable e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    public DataSource dataSource() {
        return dataSource;
    }
}
