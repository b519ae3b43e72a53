package dev.baton.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import dev.baton.broker.BrokerUsers;
import dev.baton.pipeline.Json;
import dev.baton.runtime.AlreadySubmittedException;
import dev.baton.runtime.RunEngine;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Destination;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs submitted on baton.submit by a plain JMS client answer with their final result, or at once with why not. */
class JmsSubmitTest {
    static final String AGENTS = """
            agents:
              greeter: {kind: demo, output: {greeting: "hello {{ input.name }}"}}
              broken: {kind: demo, fail: true}
            """;
    static final String GREET = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: greet}
            spec:
              params:
                name: {required: true}
              pipeline:
                stages:
                  - {name: hello, agent: greeter, output: "$.hello"}
            """;
    static final String GATED = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: gated}
            spec:
              agents:
                closer: {kind: demo}
              pipeline:
                stages:
                  - name: gate
                    approval: {approvers: [alice]}
                  - {name: after, dependsOn: [gate], agent: closer}
            """;
    static final String FAILING = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: failing}
            spec:
              pipeline:
                stages:
                  - {name: doomed, agent: broken, retry: {maxAttempts: 1}}
            """;
    private static final long WAIT_MS = 60_000;

    @TempDir
    static Path root;

    static TestBaton baton;

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(
                root, AGENTS, Map.of("greet.yaml", GREET, "gated.yaml", GATED, "failing.yaml", FAILING));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    /** The broker login of an enterprise system that submits runs (`baton broker-user erp --role submitter`). */
    static ActiveMQConnectionFactory submitter(TestBaton baton) throws Exception {
        var b = baton.server.settings().broker();
        BrokerUsers.put(b.usersFile(), b.rolesFile(), "erp", "erp-secret-1", BrokerUsers.Kind.SUBMITTER);
        return new ActiveMQConnectionFactory("tcp://127.0.0.1:" + b.port(), "erp", "erp-secret-1");
    }

    /** A JMS client of the broker Baton uses, as an enterprise system would be: it logs in as a submitter. */
    static final class Client implements AutoCloseable {
        final Connection connection;
        final Session session;
        final MessageProducer producer;

        Client(TestBaton baton) throws Exception {
            this(submitter(baton));
        }

        Client(ActiveMQConnectionFactory cf) throws Exception {
            connection = cf.createConnection();
            connection.start();
            session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            producer = session.createProducer(session.createQueue("baton.submit"));
        }

        /** Sends a submission; properties are name/value pairs, a null reply-to sends none. */
        TextMessage submit(String body, Destination replyTo, String correlation, String... properties)
                throws Exception {
            TextMessage m = session.createTextMessage(body);
            for (int i = 0; i < properties.length; i += 2) m.setStringProperty(properties[i], properties[i + 1]);
            if (replyTo != null) m.setJMSReplyTo(replyTo);
            if (correlation != null) m.setJMSCorrelationID(correlation);
            producer.send(m);
            return m;
        }

        TextMessage receive(Destination from) throws Exception {
            try (MessageConsumer consumer = session.createConsumer(from)) {
                Message m = consumer.receive(WAIT_MS);
                assertThat(m).as("an answer on " + from).isNotNull();
                return (TextMessage) m;
            }
        }

        @Override
        public void close() throws Exception {
            connection.close();
        }
    }

    private static long runs() throws Exception {
        return ((Number) baton.query("SELECT COUNT(*) AS n FROM run").get(0).get("n")).longValue();
    }

    @Test
    void aSubmissionIsAnsweredWithTheFinishedRun() throws Exception {
        try (Client client = new Client(baton)) {
            Queue replies = client.session.createTemporaryQueue();
            client.submit("{\"name\": \"jms\"}", replies, "order-17", "BatonPipeline", "greet");
            TextMessage answer = client.receive(replies);

            assertThat(answer.getJMSCorrelationID()).isEqualTo("order-17");
            assertThat(answer.getStringProperty("BatonError")).isNull();
            JsonNode run = Json.parse(answer.getText());
            assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(run.path("pipeline").asText()).isEqualTo("greet");
            assertThat(run.at("/params/name").asText()).isEqualTo("jms");
            assertThat(run.at("/context/hello/greeting").asText()).isEqualTo("hello jms");
            assertThat(run.at("/stages/0/tickets/0/status").asText()).isEqualTo("SUCCEEDED");
            // the answer is the run as the API shows it once it has ended
            assertThat(baton.get("/api/runs/" + run.path("id").asText()).body()).isEqualTo(run);
        }
    }

    @Test
    void withoutACorrelationIdTheAnswerCarriesTheMessageId() throws Exception {
        try (Client client = new Client(baton)) {
            Queue replies = client.session.createTemporaryQueue();
            TextMessage sent = client.submit("{\"name\": \"no correlation\"}", replies, null, "BatonPipeline", "greet");
            TextMessage answer = client.receive(replies);
            assertThat(sent.getJMSMessageID()).isNotBlank();
            assertThat(answer.getJMSCorrelationID()).isEqualTo(sent.getJMSMessageID());
            assertThat(Json.parse(answer.getText()).path("status").asText()).isEqualTo("SUCCEEDED");
        }
    }

    @Test
    void malformedSubmissionsAreAnsweredWithTheProblemAndStartNothing() throws Exception {
        record Case(String body, String[] properties, int status, String detail) {}
        List<Case> cases = List.of(
                new Case("{\"name\": \"x\"}", new String[] {}, 400, "BatonPipeline property is missing"),
                new Case(
                        "{\"name\": \"x\"}",
                        new String[] {"BatonPipeline", "no-such"},
                        404,
                        "pipeline 'no-such' is not loaded"),
                new Case("{\"name\": ", new String[] {"BatonPipeline", "greet"}, 400, "not valid JSON"),
                new Case("[1, 2]", new String[] {"BatonPipeline", "greet"}, 400, "must be a JSON object"),
                new Case(
                        "{\"nmae\": \"x\"}",
                        new String[] {"BatonPipeline", "greet"},
                        400,
                        "params do not match pipeline 'greet'"),
                new Case(
                        "{\"name\": \"x\"}",
                        new String[] {"BatonPipeline", "greet", "BatonIdempotencyKey", ""},
                        400,
                        "Idempotency-Key must be 1 to 200 characters"));
        try (Client client = new Client(baton)) {
            Queue replies = client.session.createTemporaryQueue();
            for (Case c : cases) {
                long before = runs();
                client.submit(c.body(), replies, "bad", c.properties());
                TextMessage answer = client.receive(replies);
                JsonNode problem = Json.parse(answer.getText());
                assertThat(answer.getJMSCorrelationID()).isEqualTo("bad");
                assertThat(answer.getIntProperty("BatonErrorStatus"))
                        .as(c.detail())
                        .isEqualTo(c.status());
                assertThat(answer.getStringProperty("BatonError")).contains(c.detail());
                assertThat(problem.path("status").asInt()).isEqualTo(c.status());
                assertThat(problem.path("detail").asText()).contains(c.detail());
                assertThat(runs()).as("no run for: " + c.detail()).isEqualTo(before);
            }
            // the unknown param is named in the problem's errors
            client.submit("{\"nmae\": \"x\"}", replies, "bad", "BatonPipeline", "greet");
            assertThat(Json.parse(client.receive(replies).getText())
                            .path("errors")
                            .toString())
                    .contains("nmae");
        }
    }

    @Test
    void aKeyReusedWithOtherParamsIsRefusedAndTheSameKeyIsAnsweredWithTheSameRun() throws Exception {
        try (Client client = new Client(baton)) {
            Queue replies = client.session.createTemporaryQueue();
            client.submit(
                    "{\"name\": \"once\"}", replies, "k1", "BatonPipeline", "greet", "BatonIdempotencyKey", "key-1");
            JsonNode first = Json.parse(client.receive(replies).getText());
            assertThat(first.path("status").asText()).isEqualTo("SUCCEEDED");
            long before = runs();

            // same key, same params, after the run ended: answered at once with that run
            client.submit(
                    "{\"name\": \"once\"}", replies, "k2", "BatonPipeline", "greet", "BatonIdempotencyKey", "key-1");
            TextMessage again = client.receive(replies);
            assertThat(again.getJMSCorrelationID()).isEqualTo("k2");
            assertThat(Json.parse(again.getText()).path("id").asText())
                    .isEqualTo(first.path("id").asText());

            // same key, other params: 422, no run
            client.submit(
                    "{\"name\": \"twice\"}", replies, "k3", "BatonPipeline", "greet", "BatonIdempotencyKey", "key-1");
            TextMessage conflict = client.receive(replies);
            assertThat(conflict.getJMSCorrelationID()).isEqualTo("k3");
            assertThat(conflict.getIntProperty("BatonErrorStatus")).isEqualTo(422);
            assertThat(Json.parse(conflict.getText()).path("detail").asText())
                    .contains("already used for run " + first.path("id").asText());
            assertThat(runs()).isEqualTo(before);
        }
    }

    @Test
    void everySubmitterOfTheSameKeyIsAnsweredWhenTheRunEnds() throws Exception {
        try (Client client = new Client(baton)) {
            Queue a = client.session.createTemporaryQueue();
            Queue b = client.session.createTemporaryQueue();
            client.submit("{}", a, "first", "BatonPipeline", "gated", "BatonIdempotencyKey", "gated-1");
            String id = await().atMost(Duration.ofSeconds(30))
                    .until(() -> baton.query("SELECT id FROM run WHERE idempotency_key = 'gated-1'"), r -> !r.isEmpty())
                    .get(0)
                    .get("id")
                    .toString();
            client.submit("{}", b, "second", "BatonPipeline", "gated", "BatonIdempotencyKey", "gated-1");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> ((Number) baton.query("SELECT COUNT(*) AS n FROM run_reply WHERE run_id = ?", id)
                                            .get(0)
                                            .get("n"))
                                    .intValue()
                            == 2);
            assertThat(baton.as("alice")
                            .post("/api/runs/" + id + "/approvals/gate", "{\"decision\": \"approve\"}")
                            .status())
                    .isEqualTo(200);

            TextMessage toA = client.receive(a);
            TextMessage toB = client.receive(b);
            assertThat(toA.getJMSCorrelationID()).isEqualTo("first");
            assertThat(toB.getJMSCorrelationID()).isEqualTo("second");
            assertThat(Json.parse(toA.getText()).path("id").asText()).isEqualTo(id);
            assertThat(Json.parse(toB.getText()).path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(baton.query("SELECT * FROM run_reply WHERE run_id = ?", id))
                    .as("answered once")
                    .isEmpty();
        }
    }

    @Test
    void aMalformedSubmissionWithoutReplyToIsDeadLetteredWithTheReason() throws Exception {
        long before = runs();
        String sentId;
        try (Client client = new Client(baton)) {
            sentId = client.submit("{\"name\": \"x\"}", null, null, "BatonPipeline", "missing-pipeline")
                    .getJMSMessageID();
        }
        try (Client admin = new Client(baton.brokerConnections())) { // a submitter may not read the DLQ
            Queue dlq = admin.session.createQueue("baton.DLQ");
            Message parked = await().atMost(Duration.ofSeconds(30))
                    .until(
                            () -> {
                                try (QueueBrowser browser = admin.session.createBrowser(dlq)) {
                                    for (Object o : Collections.list(browser.getEnumeration())) {
                                        Message m = (Message) o;
                                        if (sentId.equals(m.getStringProperty("BatonDeadLetterMessageId"))) return m;
                                    }
                                    return null;
                                }
                            },
                            m -> m != null);
            assertThat(parked.getStringProperty("BatonDeadLetterReason"))
                    .contains("pipeline 'missing-pipeline' is not loaded");
            assertThat(parked.getStringProperty("BatonDeadLetterOrigin")).isEqualTo("baton.submit");
            assertThat(((TextMessage) parked).getText()).isEqualTo("{\"name\": \"x\"}");
        }
        assertThat(runs()).isEqualTo(before);
    }

    @Test
    void aSubmitterThatWentAwayDoesNotHoldUpTheOutbox() throws Exception {
        String id;
        try (Client gone = new Client(baton)) {
            Queue replies = gone.session.createTemporaryQueue();
            gone.submit("{}", replies, "bye", "BatonPipeline", "gated", "BatonIdempotencyKey", "gone-1");
            id = await().atMost(Duration.ofSeconds(30))
                    .until(() -> baton.query("SELECT id FROM run WHERE idempotency_key = 'gone-1'"), r -> !r.isEmpty())
                    .get(0)
                    .get("id")
                    .toString();
        } // the temporary queue goes with the connection
        assertThat(baton.as("alice")
                        .post("/api/runs/" + id + "/approvals/gate", "{\"decision\": \"approve\"}")
                        .status())
                .isEqualTo(200);
        assertThat(baton.awaitRun(id, Duration.ofSeconds(60)).path("status").asText())
                .isEqualTo("SUCCEEDED");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> ((Number) baton.query("SELECT COUNT(*) AS n FROM outbox")
                                        .get(0)
                                        .get("n"))
                                .intValue()
                        == 0);
        try (Client client = new Client(baton)) {
            Queue replies = client.session.createTemporaryQueue();
            client.submit("{\"name\": \"after\"}", replies, "next", "BatonPipeline", "greet");
            assertThat(Json.parse(client.receive(replies).getText())
                            .path("status")
                            .asText())
                    .isEqualTo("SUCCEEDED");
        }
    }

    @Test
    void aFailedRunIsAnsweredWithItsError() throws Exception {
        try (Client client = new Client(baton)) {
            Queue replies = client.session.createTemporaryQueue();
            client.submit("{}", replies, "order-failing", "BatonPipeline", "failing");
            TextMessage answer = client.receive(replies);
            assertThat(answer.getJMSCorrelationID()).isEqualTo("order-failing");
            assertThat(answer.getStringProperty("BatonError"))
                    .as("a run that ran is no malformed submission")
                    .isNull();
            JsonNode run = Json.parse(answer.getText());
            assertThat(run.path("status").asText()).isEqualTo("FAILED");
            assertThat(run.path("error").asText()).contains("doomed");
            assertThat(run.at("/stages/0/status").asText()).isEqualTo("FAILED");
            assertThat(baton.get("/api/runs/" + run.path("id").asText()).body()).isEqualTo(run);
        }
    }

    @Test
    void aSubmitterMaySubmitAndReadItsAnswersButNothingElse() throws Exception {
        try (Client client = new Client(baton)) {
            Session s = client.session;
            for (String q : List.of(
                    "baton.approvals", "baton.results", "baton.agent.greeter", "baton.coordinator", "baton.DLQ")) {
                var producer = s.createProducer(s.createQueue(q));
                producer.setDeliveryMode(DeliveryMode.PERSISTENT); // a blocking send: the refusal comes back here
                assertThatThrownBy(() -> producer.send(s.createTextMessage("{}")))
                        .as("send to " + q)
                        .isInstanceOf(JMSSecurityException.class)
                        .hasMessageContaining("SEND");
            }
            for (String q : List.of("baton.submit", "baton.agent.greeter", "baton.results", "mine")) {
                assertThatThrownBy(() -> s.createConsumer(s.createQueue(q)).close())
                        .as("consume " + q)
                        .isInstanceOf(JMSSecurityException.class);
            }
            assertThatThrownBy(() -> s.createBrowser(s.createQueue("baton.submit"))
                            .getEnumeration()
                            .hasMoreElements())
                    .isInstanceOf(JMSSecurityException.class)
                    .hasMessageContaining("BROWSE");
            assertThatThrownBy(() ->
                            s.createConsumer(s.createTopic("baton.events")).close())
                    .isInstanceOf(JMSSecurityException.class);
        }
    }

    @Test
    void aRedeliveredSubmissionStartsNoSecondRun() throws Exception {
        // what the consumer does with a submission the broker delivers again after its run was committed (a crash
        // between the database commit and the JMS commit): the message id is in the inbox
        var submission = new RunEngine.Submission("ID:redelivered-1", null);
        baton.server.runs().start("greet", "{\"name\": \"again\"}", null, submission);
        long before = runs();
        assertThatThrownBy(() -> baton.server.runs().start("greet", "{\"name\": \"again\"}", null, submission))
                .isInstanceOf(AlreadySubmittedException.class);
        assertThat(runs()).isEqualTo(before);
    }
}
