package dev.baton.ticket;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.util.DriverDataSource;
import dev.baton.config.BatonSettings.DbSettings;
import java.util.Properties;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/** Opens the one pooled DataSource and brings its schema up to date, on H2 or PostgreSQL alike. */
public final class Database {
    private Database() {}

    public static HikariDataSource open(DbSettings db) {
        return open(db, null);
    }

    /** The pool over connections made through {@code around} ({@code baton bench} counts statements so), or straight when null. */
    public static HikariDataSource open(DbSettings db, UnaryOperator<DataSource> around) {
        HikariConfig cfg = new HikariConfig();
        if (around == null) {
            cfg.setJdbcUrl(closedByBaton(db.url()));
        } else {
            cfg.setDataSource(around.apply(
                    new DriverDataSource(closedByBaton(db.url()), null, new Properties(), db.user(), db.password())));
        }
        cfg.setUsername(db.user());
        cfg.setPassword(db.password());
        cfg.setMaximumPoolSize(db.poolSize());
        cfg.setAutoCommit(false);
        cfg.setPoolName("baton-db");
        cfg.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        HikariDataSource ds = new HikariDataSource(cfg);
        try {
            Flyway.configure()
                    .dataSource(ds)
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        return ds;
    }

    /**
     * H2 closes an embedded database in a JVM shutdown hook of its own, in no order with Baton's: on SIGTERM the
     * routes still running then fail with "Database is already closed" while Baton stops. Baton closes the pool
     * itself, after Camel, so H2 is told not to ({@code DB_CLOSE_ON_EXIT=FALSE}) unless the URL says otherwise.
     */
    static String closedByBaton(String url) {
        if (!url.startsWith("jdbc:h2:")
                || url.toUpperCase(java.util.Locale.ROOT).contains("DB_CLOSE_ON_EXIT")
                || url.startsWith("jdbc:h2:mem:")
                || url.startsWith("jdbc:h2:tcp:")
                || url.startsWith("jdbc:h2:ssl:")) {
            return url;
        }
        return url + ";DB_CLOSE_ON_EXIT=FALSE";
    }
}
