package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import dev.baton.pipeline.Json;
import jakarta.jms.Connection;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who decides over JMS: the broker-validated sender ({@code _AMQ_VALIDATED_USER}, stamped by Artemis with
 * {@code populate-validated-user}; a value the client sets is overwritten), except for Baton's own broker user, the
 * trusted integration, whose body names the approver.
 */
class JmsApproverIdentityTest {
    @TempDir
    static Path root;

    static TestBaton baton;

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(root, "default: {kind: demo}\n", Map.of("both.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: both}
                spec:
                  pipeline:
                    stages:
                      - name: gate
                        approval: {approvers: [alice, bob], policy: all}
                      - {name: after, dependsOn: [gate], agent: worker}
                """));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    @Test
    void theValidatedSenderDecidesAndABodyApproverCannotContradictIt() throws Exception {
        String id = baton.startRun("both", "{}");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> baton.get("/api/runs/" + id)
                        .body()
                        .at("/stages/0/status")
                        .asText()
                        .equals("WAITING_APPROVAL"));
        // bob is a broker user with the approver role (`baton broker-user bob --role approver`): he may only send to
        // baton.approvals and read the answer on a temporary queue; the broker stamps his name on what he sends.
        var b = baton.server.settings().broker();
        dev.baton.broker.BrokerUsers.put(
                b.usersFile(), b.rolesFile(), "bob", "bob-secret", dev.baton.broker.BrokerUsers.Kind.APPROVER);
        var cf = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + b.port(), "bob", "bob-secret");
        try (Connection c = cf.createConnection();
                Connection own = baton.brokerConnections().createConnection()) {
            c.start();
            Session session = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            var replies = session.createTemporaryQueue();
            var answers = session.createConsumer(replies);
            var producer = session.createProducer(session.createQueue("baton.approvals"));

            TextMessage impostor = session.createTextMessage(Json.write(Json.object()
                    .put("runId", id)
                    .put("stage", "gate")
                    .put("decision", "approve")
                    .put("approver", "alice")));
            impostor.setStringProperty("_AMQ_VALIDATED_USER", "alice"); // forged: the broker overwrites it
            impostor.setJMSReplyTo(replies);
            producer.send(impostor);
            JsonNode refused = Json.parse(((TextMessage) answers.receive(30_000)).getText());
            assertThat(refused.path("verdict").asText()).isEqualTo("INVALID");
            assertThat(refused.path("error").asText())
                    .isEqualTo("approver 'alice' is not the sender: the decision "
                            + "is made by the broker user 'bob'; leave approver out");

            TextMessage bob = session.createTextMessage(Json.write(
                    Json.object().put("runId", id).put("stage", "gate").put("decision", "approve")));
            bob.setJMSReplyTo(replies);
            producer.send(bob);
            JsonNode counted = Json.parse(((TextMessage) answers.receive(30_000)).getText());
            assertThat(counted.path("verdict").asText()).isEqualTo("COUNTED");
            assertThat(counted.path("decisions").findValuesAsText("approver")).containsExactly("bob");

            // Baton's own broker user is the trusted integration (the demo): the body says who decides.
            own.start();
            Session ownSession = own.createSession(false, Session.AUTO_ACKNOWLEDGE);
            var ownReplies = ownSession.createTemporaryQueue();
            var ownAnswers = ownSession.createConsumer(ownReplies);
            TextMessage alice = ownSession.createTextMessage(Json.write(Json.object()
                    .put("runId", id)
                    .put("stage", "gate")
                    .put("decision", "approve")
                    .put("approver", "alice")));
            alice.setJMSReplyTo(ownReplies);
            ownSession.createProducer(ownSession.createQueue("baton.approvals")).send(alice);
            JsonNode fallback = Json.parse(((TextMessage) ownAnswers.receive(30_000)).getText());
            assertThat(fallback.path("verdict").asText())
                    .as("Baton's own user: the body says who")
                    .isEqualTo("COUNTED");
            assertThat(fallback.path("status").asText()).isEqualTo("SUCCEEDED");
        }
    }
}
