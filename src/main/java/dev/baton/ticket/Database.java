package dev.baton.ticket;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.baton.config.BatonSettings.DbSettings;
import org.flywaydb.core.Flyway;

/** Opens the one pooled DataSource and brings its schema up to date, on H2 or PostgreSQL alike. */
public final class Database {
    private Database() {}

    public static HikariDataSource open(DbSettings db) {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(db.url());
        cfg.setUsername(db.user());
        cfg.setPassword(db.password());
        cfg.setMaximumPoolSize(db.poolSize());
        cfg.setAutoCommit(false);
        cfg.setPoolName("baton-db");
        cfg.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        HikariDataSource ds = new HikariDataSource(cfg);
        try {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        return ds;
    }
}
