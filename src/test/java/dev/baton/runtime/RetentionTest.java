package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import dev.baton.ticket.RetentionStore;
import dev.baton.ticket.Tx;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention on the real store, H2 and PostgreSQL: {@code POST /api/runs/purge} and the timer of
 * {@code baton.retention.finished-runs} delete finished runs with every row about them, in bounded batches, and never
 * a run in progress or one whose webhook delivery is still being attempted.
 */
class RetentionTest {
    @TempDir
    Path root;

    static final String AGENTS = """
            agents:
              worker: {kind: demo}
              broken: {kind: demo, fail: true}
            """;

    static final Map<String, String> ROUTES = Map.of(
            "quick.yaml", """
                    apiVersion: baton/v1
                    kind: Pipeline
                    metadata: {name: quick}
                    spec:
                      pipeline:
                        stages:
                          - {name: a, agent: worker, output: "$.a"}
                          - {name: b, dependsOn: [a], agent: worker, output: "$.b"}
                    """,
            "many.yaml", """
                    apiVersion: baton/v1
                    kind: Pipeline
                    metadata: {name: many}
                    spec:
                      params: {items: {required: true}}
                      pipeline:
                        stages:
                          - name: each
                            dynamic:
                              generator: for_each
                              input: "$.params.items"
                              maxParallel: 50
                              template: {name: "fix-{{ index }}", agent: worker}
                            output: "$.each"
                    """,
            "fails.yaml", """
                    apiVersion: baton/v1
                    kind: Pipeline
                    metadata: {name: fails}
                    spec:
                      pipeline:
                        stages:
                          - {name: a, agent: broken}
                    """,
            "gate.yaml", """
                    apiVersion: baton/v1
                    kind: Pipeline
                    metadata: {name: gate}
                    spec:
                      pipeline:
                        stages:
                          - {name: a, agent: worker}
                          - {name: ok, dependsOn: [a], approval: {approvers: [admin]}}
                    """,
            "notified.yaml", """
                    apiVersion: baton/v1
                    kind: Pipeline
                    metadata: {name: notified}
                    spec:
                      notify: {webhook: "http://127.0.0.1:9/nobody-listens", on: [succeeded]}
                      pipeline:
                        stages:
                          - {name: a, agent: worker}
                    """);

    /** Tables whose rows belong to one run, with the column that names it. */
    static final List<String> RUN_TABLES =
            List.of("run:id", "run_stage:run_id", "ticket:run_id", "ticket_history:run_id", "webhook_delivery:run_id");

    @Test
    void purgeOnH2() throws Exception {
        try (TestBaton baton = TestBaton.start(root, AGENTS, ROUTES)) {
            purgesFinishedRunsOnly(baton);
        }
    }

    @Test
    void purgeOnPostgresql() throws Exception {
        List<String> props = List.of("baton.db.url", "baton.db.user", "baton.db.password");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            System.setProperty("baton.db.url", pg.getJdbcUrl("postgres", "postgres"));
            System.setProperty("baton.db.user", "postgres");
            System.setProperty("baton.db.password", "");
            try (TestBaton baton = TestBaton.start(root, AGENTS, ROUTES)) {
                assertThat(baton.query("SELECT version() AS v").get(0).get("v").toString())
                        .startsWith("PostgreSQL");
                purgesFinishedRunsOnly(baton);
            }
        } finally {
            props.forEach(System::clearProperty);
        }
    }

    private void purgesFinishedRunsOnly(TestBaton baton) throws Exception {
        List<String> finished = new ArrayList<>();
        for (int i = 0; i < 12; i++) finished.add(baton.startRun("quick", "{}"));
        finished.add(baton.startRun("many", "{\"items\": " + items(400) + "}"));
        finished.add(baton.startRun("fails", "{}"));
        String waiting = baton.startRun("gate", "{}");
        String notified = baton.startRun("notified", "{}");
        for (String id : finished) baton.awaitRun(id, Duration.ofSeconds(120));
        assertThat(baton.awaitRun(notified, Duration.ofSeconds(30))
                        .path("status")
                        .asText())
                .isEqualTo("SUCCEEDED");
        await().atMost(Duration.ofSeconds(30)).until(() -> "WAITING_APPROVAL".equals(stage(baton, waiting, "ok")));
        assertThat(rows(baton, "ticket", finished.get(12))).isEqualTo(400); // the for_each brought a large history
        assertThat(rows(baton, "ticket_history", finished.get(12))).isGreaterThan(1200);

        // Bad requests change nothing.
        assertThat(baton.post("/api/runs/purge", "{}").status()).isEqualTo(400);
        TestBaton.Response bad = baton.post("/api/runs/purge", "{\"before\": \"yesterday\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().path("detail").asText()).contains("'before' must be a date");
        assertThat(baton.as("viewer")
                        .post("/api/runs/purge", "{\"before\": \"2999-01-01\"}")
                        .status())
                .isEqualTo(403);
        // Before any of them finished: nothing to delete.
        assertThat(baton.post("/api/runs/purge", "{\"before\": \"2020-01-01\"}")
                        .body()
                        .path("deleted")
                        .asInt())
                .isZero();
        for (String id : finished) assertThat(rows(baton, "run", id)).isEqualTo(1);

        Instant before = Instant.now().plusSeconds(1);
        // Bounded batches: 14 finished runs, 5 per transaction.
        Retention.Purged purged =
                new Retention(new Tx(baton.server.dataSource()), new RetentionStore(), 5).purge(before);
        assertThat(purged.runs()).isEqualTo(14);
        assertThat(purged.batches()).isEqualTo(3);
        for (String id : finished) {
            for (String table : RUN_TABLES)
                assertThat(rows(baton, table, id)).as(table + " of " + id).isZero();
            assertThat(baton.get("/api/runs/" + id).status()).isEqualTo(404);
        }
        assertThat(baton.query("SELECT COUNT(*) AS n FROM ticket_holder h LEFT JOIN ticket t ON t.id = h.ticket_id "
                                + "WHERE t.id IS NULL")
                        .get(0)
                        .get("n")
                        .toString())
                .isEqualTo("0");

        // The run in progress and the finished run whose webhook is still being attempted are kept, whole.
        assertThat(rows(baton, "run", waiting)).isEqualTo(1);
        assertThat(rows(baton, "webhook_delivery", notified)).isEqualTo(1);
        TestBaton.Response again = baton.post("/api/runs/purge", "{\"before\": \"" + before + "\"}");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body().path("deleted").asInt()).isZero();
        // ... and the one in progress goes on to the end.
        assertThat(baton.post("/api/runs/" + waiting + "/approvals/ok", "{\"decision\": \"approve\"}")
                        .status())
                .isEqualTo(200);
        assertThat(baton.awaitRun(waiting, Duration.ofSeconds(30))
                        .path("status")
                        .asText())
                .isEqualTo("SUCCEEDED");
    }

    @Test
    void batonPurgeDeletesOnceAndSaysHowMany() throws Exception {
        try (TestBaton baton = TestBaton.start(root, AGENTS, ROUTES)) {
            String done = baton.startRun("quick", "{}");
            baton.awaitRun(done, Duration.ofSeconds(30));
            var env = Map.of(
                    "BATON_SERVER",
                    "http://127.0.0.1:" + baton.port,
                    "BATON_API_KEY",
                    dev.baton.TestSecurity.apiKey("admin"));
            var bad = dev.baton.cli.CliTest.runWith(env, "purge", "--before", "soon");
            assertThat(bad.exit()).isEqualTo(2);
            assertThat(bad.err()).contains("'before' must be a date");
            String tomorrow = java.time.LocalDate.now(java.time.ZoneOffset.UTC)
                    .plusDays(1)
                    .toString();
            var ok = dev.baton.cli.CliTest.runWith(env, "purge", "--before", tomorrow);
            assertThat(ok.exit()).isZero();
            assertThat(ok.out())
                    .isEqualTo("deleted 1 finished run(s) that ended before " + tomorrow + "T00:00:00Z"
                            + System.lineSeparator());
            assertThat(baton.get("/api/runs/" + done).status()).isEqualTo(404);
        }
    }

    @Test
    void theRetentionTimerDeletesRunsPastTheirTime() throws Exception {
        List<String> props = List.of("baton.retention.finished-runs", "baton.retention.interval");
        System.setProperty("baton.retention.finished-runs", "1s");
        System.setProperty("baton.retention.interval", "500ms");
        try (TestBaton baton = TestBaton.start(root, AGENTS, ROUTES)) {
            String done = baton.startRun("quick", "{}");
            String waiting = baton.startRun("gate", "{}");
            assertThat(baton.awaitRun(done, Duration.ofSeconds(30))
                            .path("status")
                            .asText())
                    .isEqualTo("SUCCEEDED");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> baton.get("/api/runs/" + done).status() == 404);
            assertThat(rows(baton, "ticket_history", done)).isZero();
            // Older than a second too, but still waiting for a person: kept.
            assertThat(baton.get("/api/runs/" + waiting).status()).isEqualTo(200);
        } finally {
            props.forEach(System::clearProperty);
        }
    }

    private static String items(int n) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < n; i++) b.append(i == 0 ? "" : ",").append(i);
        return b.append("]").toString();
    }

    private static String stage(TestBaton baton, String runId, String name) throws Exception {
        for (JsonNode s : baton.get("/api/runs/" + runId).body().path("stages")) {
            if (s.path("name").asText().equals(name)) return s.path("status").asText();
        }
        return null;
    }

    private static int rows(TestBaton baton, String tableAndColumn, String runId) throws Exception {
        String[] tc = tableAndColumn.contains(":")
                ? tableAndColumn.split(":")
                : new String[] {tableAndColumn, tableAndColumn.equals("run") ? "id" : "run_id"};
        return Integer.parseInt(baton.query("SELECT COUNT(*) AS n FROM " + tc[0] + " WHERE " + tc[1] + " = ?", runId)
                .get(0)
                .get("n")
                .toString());
    }
}
