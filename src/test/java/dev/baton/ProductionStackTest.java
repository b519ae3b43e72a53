package dev.baton;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.broker.EmbeddedBroker;
import dev.baton.config.BatonSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production shape chosen by configuration alone: a real PostgreSQL (schema migrated by the same Flyway scripts)
 * and a broker in its own right reached over TCP, instead of H2 and the embedded broker.
 */
class ProductionStackTest {
    @TempDir
    Path root;

    static final String PIPELINE = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: fan}
            spec:
              pipeline:
                stages:
                  - {name: one, agent: worker, output: "$.one"}
                  - {name: two, dependsOn: [one], agent: worker, output: "$.two"}
                  - {name: three, dependsOn: [one], agent: flaky, output: "$.three", retry: {maxAttempts: 2, initialDelay: 100ms}}
                  - {name: four, dependsOn: [two, three], agent: worker, output: "$.four"}
            """;

    static final String LATE = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: late}
            spec:
              pipeline:
                stages:
                  - {name: wait, agent: nobody, deadline: 1s}
            """;

    @Test
    void runsOnPostgresqlAndAnExternalBroker() throws Exception {
        List<String> props = List.of(
                "baton.db.url", "baton.db.user", "baton.db.password", "baton.broker.url", "baton.broker.password");
        int brokerPort = TestBaton.freePort();
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
                EmbeddedBroker broker = EmbeddedBroker.start(
                        new BatonSettings.BrokerSettings(
                                "",
                                brokerPort,
                                "baton",
                                "external-secret",
                                Path.of("broker/broker.xml"),
                                TestBaton.freePort(),
                                TestBaton.freePort(),
                                root.resolve("none.properties"),
                                root.resolve("none.properties"),
                                Map.of()),
                        root.resolve("broker-host"))) {
            System.setProperty("baton.broker.password", "external-secret");
            System.setProperty("baton.db.url", pg.getJdbcUrl("postgres", "postgres"));
            System.setProperty("baton.db.user", "postgres");
            System.setProperty("baton.db.password", "");
            System.setProperty("baton.broker.url", "tcp://127.0.0.1:" + brokerPort);
            try (TestBaton baton = TestBaton.start(root, """
                    agents:
                      worker: {kind: demo, maxConcurrency: 2}
                      flaky: {kind: demo, failFirstAttempts: 1}
                      nobody: {kind: external}
                    """, Map.of("fan.yaml", PIPELINE, "late.yaml", LATE))) {
                assertThat(baton.query("SELECT version() AS v").get(0).get("v").toString())
                        .startsWith("PostgreSQL 14");

                JsonNode run = baton.awaitRun(baton.startRun("fan", "{}"), Duration.ofSeconds(30));
                assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
                assertThat(run.at("/stages/2/attempts").asInt()).isEqualTo(2);
                assertThat(run.at("/context/four/input/two/stage").asText()).isEqualTo("two");

                TestBaton.Response first = baton.post("/api/pipelines/fan/runs", "{}", "Idempotency-Key", "pg-1");
                TestBaton.Response again = baton.post("/api/pipelines/fan/runs", "{}", "Idempotency-Key", "pg-1");
                assertThat(first.status()).isEqualTo(201);
                assertThat(again.status()).isEqualTo(200);
                assertThat(again.body().path("id").asText())
                        .isEqualTo(first.body().path("id").asText());

                // maxConcurrency and deadline work the same on a broker of its own
                assertThat(queueAttribute(brokerPort, "baton.agent.worker", "maxConsumers"))
                        .isEqualTo(2);
                JsonNode late = baton.awaitRun(baton.startRun("late", "{}"), Duration.ofSeconds(30));
                assertThat(late.path("status").asText()).isEqualTo("FAILED");
                assertThat(late.path("error").asText()).contains("deadline expired after 1s on attempt 1");
            }
        } finally {
            props.forEach(System::clearProperty);
        }
    }

    /** A queue attribute as the broker's management address reports it. */
    private static int queueAttribute(int port, String queue, String attribute) throws Exception {
        try (jakarta.jms.Connection c = new org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory(
                        "tcp://127.0.0.1:" + port, "baton", "external-secret")
                .createConnection()) {
            c.start();
            jakarta.jms.Session s = c.createSession(false, jakarta.jms.Session.AUTO_ACKNOWLEDGE);
            var replies = s.createTemporaryQueue();
            jakarta.jms.Message m = s.createMessage();
            org.apache.activemq.artemis.api.jms.management.JMSManagementHelper.putAttribute(
                    m, "queue." + queue, attribute);
            m.setJMSReplyTo(replies);
            s.createProducer(s.createQueue("activemq.management")).send(m);
            Object result = org.apache.activemq.artemis.api.jms.management.JMSManagementHelper.getResult(
                    s.createConsumer(replies).receive(10_000));
            return ((Number) result).intValue();
        }
    }
}
