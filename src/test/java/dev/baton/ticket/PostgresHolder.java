package dev.baton.ticket;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;

/**
 * A JVM that starts the default store's server on a folder, writes one row, says UP and waits to be killed: what a
 * Baton process is to its server, for {@link EmbeddedPostgresIT}.
 */
public final class PostgresHolder {
    private PostgresHolder() {}

    public static void main(String[] args) throws Exception {
        try {
            EmbeddedPostgres pg = EmbeddedPostgres.start(Path.of(args[0]), 0);
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), EmbeddedPostgres.USER, pg.password());
                    var st = c.createStatement()) {
                st.execute("CREATE TABLE IF NOT EXISTS marks (n INT)");
                st.execute("INSERT INTO marks VALUES (" + args[1] + ")");
            }
            System.out.println("UP");
        } catch (Exception e) {
            System.out.println("FAILED " + e.getMessage());
            System.exit(3);
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
