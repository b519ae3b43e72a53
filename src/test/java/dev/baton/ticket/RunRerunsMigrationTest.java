package dev.baton.ticket;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.baton.config.BatonSettings.DbSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * A database from before runs counted their reruns gets the count from each run's history when Baton upgrades it: a
 * run rerun before the upgrade still revives the ticket rows its earlier tries left, instead of inserting into their
 * slots.
 */
class RunRerunsMigrationTest {
    @Test
    void runsFromBeforeTheUpgradeCountTheRerunsTheirHistoryRecords() throws Exception {
        String url = "jdbc:h2:mem:reruns" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
        Flyway.configure()
                .dataSource(url, "sa", "")
                .locations("classpath:db/migration")
                .target("14")
                .load()
                .migrate();
        try (Connection c = DriverManager.getConnection(url, "sa", "");
                Statement st = c.createStatement()) {
            for (String run : new String[] {"never", "once", "twice"}) {
                st.executeUpdate("INSERT INTO run (id, pipeline, revision, status, params, context, created_at,"
                        + " updated_at) VALUES ('" + run + "', 'p', 'r', 'RUNNING', '{}', '{}', CURRENT_TIMESTAMP,"
                        + " CURRENT_TIMESTAMP)");
            }
            int seq = 0;
            for (String[] h : new String[][] {
                {"never", "RUN_RUNNING"},
                {"once", "RUN_RUNNING"},
                {"once", "RUN_RERUN"},
                {"twice", "RUN_RERUN"},
                {"twice", "QUEUED"},
                {"twice", "RUN_RERUN"}
            }) {
                st.executeUpdate("INSERT INTO ticket_history (run_id, seq, status, at) VALUES ('" + h[0] + "', " + ++seq
                        + ", '" + h[1] + "', CURRENT_TIMESTAMP)");
            }
        }

        try (HikariDataSource db = Database.open(new DbSettings(url, "sa", "", 2, 0));
                Connection c = db.getConnection();
                Statement st = c.createStatement();
                var rs = st.executeQuery("SELECT id, reruns FROM run")) {
            Map<String, Integer> reruns = new TreeMap<>();
            while (rs.next()) {
                reruns.put(rs.getString(1), rs.getInt(2));
            }
            assertThat(reruns).containsExactly(Map.entry("never", 0), Map.entry("once", 1), Map.entry("twice", 2));
        }
    }
}
