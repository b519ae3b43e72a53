package dev.baton.ticket;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.baton.config.BatonSettings.DbSettings;
import dev.baton.pipeline.Json;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * A run's large params are read and parsed by its first transition only, and every later one gets its own copy of
 * them; small params are read with the row each time.
 */
class RunParamsTest {
    @Test
    void largeParamsAreReadOnceAndEachTransitionGetsItsOwnCopy() throws Exception {
        try (HikariDataSource db = Database.open(new DbSettings(
                        "jdbc:h2:mem:params" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", "sa", "", 2, 0));
                Connection c = db.getConnection()) {
            RunStore store = new RunStore();
            ObjectNode big = Json.object();
            var items = big.putArray("items");
            for (int i = 0; i < 2000; i++) {
                items.add(i);
            }
            store.insertRun(c, TestRuns.running("big", big));
            store.insertRun(c, TestRuns.running("small", (ObjectNode) Json.parse("{\"n\": 1}")));

            ObjectNode first = store.lockRun(c, "big").orElseThrow().params();
            assertThat(first).isEqualTo(big);
            first.put("changed", true); // a transition's copy is its own

            try (Statement st = c.createStatement()) {
                // Params never change after the insert; rewriting them here shows which reads go to the row.
                st.executeUpdate("UPDATE run SET params = '{\"rewritten\": true}'");
            }
            ObjectNode second = store.lockRun(c, "big").orElseThrow().params();
            assertThat(second)
                    .as("kept from the first read, unchanged by the first transition's copy")
                    .isEqualTo(big);
            second.put("changed", true);
            assertThat(store.lockRun(c, "big").orElseThrow().params())
                    .as("unchanged by the second transition's copy of the kept params")
                    .isEqualTo(big);
            assertThat(store.lockRun(c, "small").orElseThrow().params())
                    .as("small params are read with the row")
                    .isEqualTo(Json.parse("{\"rewritten\": true}"));
        }
    }
}
