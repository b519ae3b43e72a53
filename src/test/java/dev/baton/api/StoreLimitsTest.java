package dev.baton.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.LogCapture;
import dev.baton.TestBaton;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Everything the pipeline format allows fits the store, on H2 and on PostgreSQL (issue 18): a pipeline at every
 * limit (63-character stage names, 100-character agent names, ten-year durations, item labels longer than their
 * column) runs to the end; a for_each over more items than allowed fails its stage with the reason; and when the
 * store itself fails, the client gets a 500 with an error id and no SQL, the log gets the cause under that id.
 */
class StoreLimitsTest {
    static final String STAGE = "s".repeat(63);
    static final String AGENT = "a" + "-b".repeat(49) + "c"; // 100 characters
    static final String LOOP = "l".repeat(30);
    static final String INNER = "i".repeat(32); // "l…l/i…i" is 63 characters

    static final String AT_THE_LIMITS = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: NAME}
            spec:
              params:
                items: {default: [{id: 1}, {id: 2}]}
              pipeline:
                stages:
                  - name: STAGE
                    agent: AGENT
                    output: "$.first"
                    timeout: 3650d
                    deadline: 3650d
                    retry: {maxAttempts: 2, initialDelay: 3650d, maxDelay: 3650d}
                  - name: each
                    dependsOn: [STAGE]
                    dynamic:
                      generator: for_each
                      input: "$.params.items"
                      template: {name: "LABEL-{{ item.id }}", agent: AGENT}
                    timeout: 3650d
                    output: "$.each"
                  - name: LOOP
                    dependsOn: [each]
                    loop:
                      until: 'iteration >= 1'
                      maxIterations: 2
                      stages:
                        - {name: INNER, agent: AGENT, timeout: 3650d}
                  - name: gate
                    dependsOn: [LOOP]
                    approval: {approvers: [alice], timeout: 3650d}
            """.replace("STAGE", STAGE)
            .replace("AGENT", AGENT)
            .replace("LOOP", LOOP)
            .replace("INNER", INNER)
            .replace("LABEL", "x".repeat(300));

    static final String SPLIT = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: split}
            spec:
              params:
                items: {required: true}
              pipeline:
                stages:
                  - name: each
                    dynamic: {generator: for_each, input: "$.params.items", template: {agent: worker}}
            """;

    @TempDir
    Path root;

    @Test
    void onH2() throws Exception {
        exercise(root);
    }

    @Test
    void onPostgresql() throws Exception {
        List<String> props = List.of("baton.db.url", "baton.db.user", "baton.db.password");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            System.setProperty("baton.db.url", pg.getJdbcUrl("postgres", "postgres"));
            System.setProperty("baton.db.user", "postgres");
            System.setProperty("baton.db.password", "");
            exercise(root);
        } finally {
            props.forEach(System::clearProperty);
        }
    }

    private static void exercise(Path root) throws Exception {
        Files.createDirectories(root.resolve("config"));
        Files.writeString(
                root.resolve("config/application.properties"),
                "baton.pipelines.max-for-each-items = 3\n" + "baton.agents.max-instances = 2\n");
        try (TestBaton baton = TestBaton.start(
                root,
                "default: {kind: demo}\n",
                Map.of("limits.yaml", AT_THE_LIMITS.replace("NAME", "m".repeat(63)), "split.yaml", SPLIT))) {
            assertThat(baton.get("/api/pipelines").body().path("invalid"))
                    .as("nothing invalid")
                    .isEmpty();
            String runId = baton.startRun("m".repeat(63), "{}");
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> baton.get("/api/runs/" + runId).body().path("stages").findParents("name").stream()
                            .anyMatch(st -> st.path("name").asText().equals("gate")
                                    && st.path("status").asText().equals("WAITING_APPROVAL")));
            assertThat(baton.as("alice")
                            .post(
                                    "/api/runs/" + runId + "/approvals/gate",
                                    "{\"decision\": \"approve\", \"approver\": \"alice\"}")
                            .status())
                    .isEqualTo(200);
            JsonNode run = baton.awaitRun(runId, Duration.ofSeconds(60));
            assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
            assertThat(run.at("/context/first/stage").asText()).isEqualTo(STAGE);
            List<Map<String, Object>> labels = baton.query(
                    "SELECT label FROM ticket WHERE run_id = ? AND stage = " + "'each' ORDER BY item", runId);
            assertThat(labels).hasSize(2);
            assertThat(labels.get(0).get("label").toString())
                    .hasSize(200)
                    .startsWith("xxx")
                    .endsWith("x…");
            assertThat(baton.query("SELECT stage FROM ticket WHERE run_id = ? AND stage LIKE 'l%'", runId))
                    .extracting(r -> r.get("stage"))
                    .containsOnly(LOOP + "/" + INNER);

            // a for_each over more items than baton.pipelines.max-for-each-items fails its stage, saying why
            JsonNode split =
                    baton.awaitRun(baton.startRun("split", "{\"items\": [1, 2, 3, 4]}"), Duration.ofSeconds(60));
            assertThat(split.path("status").asText()).isEqualTo("FAILED");
            assertThat(split.path("error").asText())
                    .contains("for_each input $.params.items has 4 items; at most 3 "
                            + "are allowed (baton.pipelines.max-for-each-items)");
            assertThat(baton.query(
                            "SELECT id FROM ticket WHERE run_id = ?",
                            split.path("id").asText()))
                    .isEmpty();
            assertThat(baton.awaitRun(baton.startRun("split", "{\"items\": [1, 2, 3]}"), Duration.ofSeconds(60))
                            .path("status")
                            .asText())
                    .isEqualTo("SUCCEEDED");

            refusalsAndInstancesStayBounded(baton, runId);
            aMessageIdLongerThanTheInboxColumnIsStillDeduplicated(baton);
            storeFailureIsAGeneric500(baton);
        }
    }

    /** The store side of the flood guards, on this database: repeats counted on one row, instances replaced. */
    private static void refusalsAndInstancesStayBounded(TestBaton baton, String endedRun) throws Exception {
        String ticket = baton.query("SELECT id FROM ticket WHERE run_id = ? AND stage = ?", endedRun, STAGE)
                .get(0)
                .get("id")
                .toString();
        try (jakarta.jms.Connection c = baton.brokerConnections().createConnection()) {
            jakarta.jms.Session s = c.createSession(false, jakarta.jms.Session.AUTO_ACKNOWLEDGE);
            var results = s.createProducer(s.createQueue("baton.results"));
            for (int i = 0; i < 5; i++) {
                var m = s.createTextMessage("{\"ticketId\": \"" + ticket + "\", \"attempt\": 1, "
                        + "\"status\": \"succeeded\", \"output\": \"late\"}");
                m.setJMSCorrelationID(ticket);
                results.send(m);
            }
            var heartbeats = s.createProducer(s.createTopic("baton.heartbeats"));
            for (String i : List.of("p-1", "p-2")) {
                heartbeats.send(s.createTextMessage("{\"agent\": \"bounded\", \"instance\": \"" + i + "\"}"));
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> baton.query(
                                            "SELECT instance FROM agent_instance WHERE agent = 'bounded' AND instance LIKE 'p-%'")
                                    .size()
                            == 2);
            execute(
                    baton,
                    "UPDATE agent_instance SET status = 'DOWN', down_at = last_heartbeat WHERE instance = 'p-1'");
            heartbeats.send(s.createTextMessage("{\"agent\": \"bounded\", \"instance\": \"p-3\"}"));
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> baton
                        .query(
                                "SELECT repeats FROM ticket_history WHERE " + "ticket_id = ? AND status = 'REFUSED'",
                                ticket)
                        .stream()
                        .anyMatch(r -> ((Number) r.get("repeats")).intValue() == 4));
        assertThat(baton.query("SELECT detail FROM ticket_history WHERE ticket_id = ? AND status = 'REFUSED'", ticket))
                .singleElement()
                .extracting(r -> r.get("detail"))
                .isEqualTo("run is already SUCCEEDED");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> baton
                        .query("SELECT instance FROM agent_instance WHERE "
                                + "agent = 'bounded' AND instance LIKE 'p-%' ORDER BY instance")
                        .stream()
                        .map(r -> r.get("instance"))
                        .toList()
                        .equals(List.of("p-2", "p-3")));
    }

    /** An AMQP sender picks its own message ids: one of 300 characters is kept as its hash, and still dedupes. */
    private static void aMessageIdLongerThanTheInboxColumnIsStillDeduplicated(TestBaton baton) throws Exception {
        var store = new dev.baton.ticket.RunStore();
        String id = "amqp:" + "m".repeat(295);
        try (java.sql.Connection c = baton.server.dataSource().getConnection()) {
            c.setAutoCommit(false);
            assertThat(store.inbox().firstDelivery(c, id, java.time.Instant.now()))
                    .isTrue();
            c.commit();
            assertThat(store.inbox().firstDelivery(c, id, java.time.Instant.now()))
                    .as("a redelivery")
                    .isFalse();
            assertThat(store.inbox().firstDelivery(c, id + "x", java.time.Instant.now()))
                    .as("another message")
                    .isTrue();
            c.rollback();
        }
        assertThat(baton.query("SELECT message_id FROM inbox WHERE message_id LIKE 'sha256-id:%'"))
                .hasSize(1);
    }

    /** The store fails under a request (its run table is gone for a moment): no SQL reaches the client. */
    private static void storeFailureIsAGeneric500(TestBaton baton) throws Exception {
        execute(baton, "ALTER TABLE run RENAME TO run_away");
        try (LogCapture log = new LogCapture("dev.baton.api", Level.ERROR, "%m%n")) {
            TestBaton.Response r = baton.get("/api/runs");
            assertThat(r.status()).isEqualTo(500);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            String id = r.body().path("errorId").asText();
            assertThat(id).matches("[0-9a-f-]{36}");
            assertThat(r.body().path("detail").asText())
                    .isEqualTo(
                            "the request failed unexpectedly; the server log " + "has the cause under error id " + id);
            String body = r.body().toString().toLowerCase(java.util.Locale.ROOT);
            for (String leak : List.of("select", "from", "sql", "run_away", "table", "relation", "jdbc", "exception")) {
                assertThat(body).as("the answer mentions '%s'", leak).doesNotContain(leak);
            }
            assertThat(log.text()).contains("error id " + id).containsIgnoringCase("run");
        } finally {
            execute(baton, "ALTER TABLE run_away RENAME TO run");
        }
        assertThat(baton.get("/api/runs").status()).isEqualTo(200);
    }

    private static void execute(TestBaton baton, String sql) throws Exception {
        try (java.sql.Connection c = baton.server.dataSource().getConnection();
                var s = c.createStatement()) {
            s.execute(sql);
            if (!c.getAutoCommit()) c.commit();
        }
    }
}
