package dev.baton.ticket;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.baton.config.BatonSettings.DbSettings;
import dev.baton.pipeline.Json;
import dev.baton.ticket.Rows.RunRow;
import dev.baton.ticket.Rows.StageRow;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * In a transaction that holds a run's row locked, the run row and its stage rows are read once and then kept as the
 * stores write them (a group commit's later replies of the same run read neither again); each reader gets its own
 * copy of the JSON in them, a write the stores do not know of makes them read again, and the next transaction reads
 * the database. Rows are rewritten here behind the stores' backs to show which reads went to the database.
 */
class LockedRunsTest {
    HikariDataSource db;
    Tx tx;
    RunStore store = new RunStore();

    @BeforeEach
    void open() {
        db = Database.open(
                new DbSettings("jdbc:h2:mem:locked" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", "sa", "", 4, 0));
        tx = new Tx(db);
        tx.run(c -> {
            store.insertRun(c, TestRuns.running("run-1", (ObjectNode) Json.parse("{\"n\": 1}")));
            store.stageRows().insertStages(c, List.of(StageRow.waiting("run-1", "a"), StageRow.waiting("run-1", "b")));
            return null;
        });
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void aLockedRunAndItsStagesAreReadOnceAndKeptAsWritten() {
        tx.run(c -> {
            RunRow first = store.lockRun(c, "run-1").orElseThrow();
            List<StageRow> stages = store.stageRows().stages(c, "run-1");
            assertThat(stages).extracting(StageRow::name).containsExactlyInAnyOrder("a", "b");
            rewriteBehindTheStores(c);

            assertThat(store.lockRun(c, "run-1").orElseThrow())
                    .as("kept: the rewrite was not read")
                    .isEqualTo(first);
            assertThat(store.stageRows().stages(c, "run-1")).isEqualTo(stages);

            Instant now = Instant.now();
            store.updateRun(c, "run-1", RunStatus.FAILED, null, "broke", 7, now, now);
            StageRow a = stage(stages, "a");
            StageRow done = new StageRow(
                    "run-1",
                    "a",
                    TicketStatus.SUCCEEDED,
                    1,
                    Json.parse("{\"out\": [1, 2]}"),
                    null,
                    now,
                    now,
                    0,
                    0,
                    0,
                    0,
                    7);
            store.stageRows().updateStages(c, List.of(done));

            RunRow after = store.lockRun(c, "run-1").orElseThrow();
            assertThat(after.status()).isEqualTo(RunStatus.FAILED);
            assertThat(after.error()).isEqualTo("broke");
            assertThat(after.lastSeq()).isEqualTo(7);
            assertThat(after.finishedAt()).isEqualTo(now);
            assertThat(after.params()).isEqualTo(Json.parse("{\"n\": 1}"));
            assertThat(after.context()).as("never read with the lock").isNull();
            assertThat(stage(store.stageRows().stages(c, "run-1"), "a"))
                    .isEqualTo(done)
                    .isNotEqualTo(a);
            assertThat(done.output())
                    .isNotSameAs(
                            stage(store.stageRows().stages(c, "run-1"), "a").output());
            assertThat(stage(store.stageRows().stages(c, "run-1"), "b")).isEqualTo(stage(stages, "b"));

            // each reader has its own JSON, and so has the writer
            ((ObjectNode) done.output()).put("changed by its writer", true);
            after.params().put("changed", true);
            ((ObjectNode) stage(store.stageRows().stages(c, "run-1"), "a").output()).put("changed", true);
            assertThat(store.lockRun(c, "run-1").orElseThrow().params()).isEqualTo(Json.parse("{\"n\": 1}"));
            assertThat(stage(store.stageRows().stages(c, "run-1"), "a").output())
                    .isEqualTo(Json.parse("{\"out\": [1, 2]}"));
            return null;
        });
        // the next transaction reads what is in the database (here: the last writes, then the rewrite's others)
        tx.run(c -> {
            RunRow read = store.lockRun(c, "run-1").orElseThrow();
            assertThat(read.status()).isEqualTo(RunStatus.FAILED);
            assertThat(read.lastSeq()).isEqualTo(7);
            assertThat(stage(store.stageRows().stages(c, "run-1"), "b").error()).isEqualTo("rewritten");
            return null;
        });
    }

    @Test
    void largeParamsKeptByTheRunStoreAreEachLockersOwnToo() {
        ObjectNode big = Json.object();
        var items = big.putArray("items");
        for (int i = 0; i < 1000; i++) {
            items.add("item-" + i);
        }
        tx.run(c -> {
            store.insertRun(c, TestRuns.running("run-big", big));
            return null;
        });
        tx.run(c -> {
            RunRow first = store.lockRun(c, "run-big").orElseThrow();
            first.params().put("changed", true);
            rewriteBehindTheStores(c);
            RunRow second = store.lockRun(c, "run-big").orElseThrow();
            assertThat(second.params())
                    .as("the kept params, not the first locker's")
                    .isEqualTo(big);
            assertThat(second.error()).as("kept: the rewrite was not read").isNull();
            second.params().put("changed", true);
            assertThat(store.lockRun(c, "run-big").orElseThrow().params()).isEqualTo(big);
            return null;
        });
    }

    @Test
    void aStageWrittenThatWasNotReadMakesTheStagesBeReadAgain() {
        tx.run(c -> {
            store.lockRun(c, "run-1").orElseThrow();
            store.stageRows().stages(c, "run-1");
            try (Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO run_stage (run_id, name, status, attempts, iteration, items_total, "
                        + "items_next, items_done) VALUES ('run-1', 'c', 'WAITING_DEPS', 0, 0, 0, 0, 0)");
            }
            StageRow c2 = StageRow.waiting("run-1", "c");
            store.stageRows().updateStages(c, List.of(c2));
            assertThat(store.stageRows().stages(c, "run-1"))
                    .extracting(StageRow::name)
                    .containsExactlyInAnyOrder("a", "b", "c");
            return null;
        });
    }

    @Test
    void stagesOfARunNotLockedAreReadEachTime() {
        tx.run(c -> {
            store.stageRows().stages(c, "run-1");
            rewriteBehindTheStores(c);
            assertThat(stage(store.stageRows().stages(c, "run-1"), "b").error()).isEqualTo("rewritten");
            return null;
        });
    }

    @Test
    void aRerunCountedOrStagesInsertedAreReadAgain() {
        tx.run(c -> {
            store.lockRun(c, "run-1").orElseThrow();
            store.stageRows().stages(c, "run-1");
            rewriteBehindTheStores(c);
            store.countRerun(c, "run-1");
            RunRow again = store.lockRun(c, "run-1").orElseThrow();
            assertThat(again.reruns()).isEqualTo(1);
            assertThat(again.error()).as("read again, rewrite and all").isEqualTo("rewritten");
            return null;
        });
        tx.run(c -> {
            store.lockRun(c, "run-1").orElseThrow();
            store.stageRows().stages(c, "run-1");
            store.stageRows().insertStages(c, List.of(StageRow.waiting("run-1", "c")));
            assertThat(store.stageRows().stages(c, "run-1"))
                    .extracting(StageRow::name)
                    .containsExactlyInAnyOrder("a", "b", "c");
            return null;
        });
    }

    @Test
    void outsideATransactionOfTheStoresNothingIsKept() throws SQLException {
        try (Connection c = db.getConnection()) {
            store.lockRun(c, "run-1").orElseThrow();
            store.stageRows().stages(c, "run-1");
            rewriteBehindTheStores(c);
            assertThat(store.lockRun(c, "run-1").orElseThrow().error()).isEqualTo("rewritten");
            assertThat(stage(store.stageRows().stages(c, "run-1"), "b").error()).isEqualTo("rewritten");
            c.rollback();
        }
    }

    private static void rewriteBehindTheStores(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE run SET error = 'rewritten'");
            st.executeUpdate("UPDATE run_stage SET error = 'rewritten'");
        }
    }

    private static StageRow stage(List<StageRow> rows, String name) {
        return rows.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }
}
