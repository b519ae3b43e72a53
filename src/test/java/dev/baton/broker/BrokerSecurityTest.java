package dev.baton.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import dev.baton.pipeline.Json;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.activemq.artemis.api.core.TransportConfiguration;
import org.apache.activemq.artemis.api.jms.management.JMSManagementHelper;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker's security with real logins over TCP (docs/security.md): an agent's user may consume only its own queue and
 * send only to baton.results and baton.heartbeats; everything else is refused by the broker itself.
 */
class BrokerSecurityTest {
    @TempDir
    static Path root;

    static TestBaton baton;
    private Connection connection;

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(root, """
                agents:
                  alpha: {kind: external}
                  beta: {kind: external}
                """, Map.of("sec.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: sec}
                spec:
                  pipeline:
                    stages:
                      - {name: work, agent: alpha, input: "$.params", output: "$.work", timeout: 5m}
                """));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    @AfterEach
    void close() throws Exception {
        if (connection != null) connection.close();
    }

    private Session as(String agent) throws Exception {
        connection = baton.agentConnections(agent).createConnection();
        connection.start();
        return connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
    }

    @Test
    void anAgentConsumesItsOwnQueueAndRepliesOnResults() throws Exception {
        Session s = as("alpha");
        MessageConsumer tickets = s.createConsumer(s.createQueue("baton.agent.alpha"));
        String runId = baton.startRun("sec", "{}");
        TextMessage m = (TextMessage) tickets.receive(30_000);
        assertThat(m).as("alpha's ticket").isNotNull();
        JsonNode t = Json.parse(m.getText());
        TextMessage reply = s.createTextMessage(Json.write(Json.object()
                .put("ticketId", t.path("ticketId").asText())
                .put("attempt", t.path("attempt").asInt())
                .put("status", "succeeded")
                .put("output", "done")));
        reply.setJMSCorrelationID(t.path("ticketId").asText());
        s.createProducer(s.createQueue("baton.results")).send(reply);
        s.createProducer(s.createTopic("baton.heartbeats")).send(s.createTextMessage("{\"agent\": \"alpha\"}"));
        JsonNode run = baton.awaitRun(runId, Duration.ofSeconds(30));
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.at("/context/work").asText()).isEqualTo("done");
    }

    @Test
    void anAgentSubscribesToItsOwnControlAddressOnly() throws Exception {
        Session s = as("alpha");
        s.createConsumer(s.createTopic("baton.control.alpha")).close();
        assertThatThrownBy(() -> s.createConsumer(s.createTopic("baton.control.beta")))
                .isInstanceOf(JMSSecurityException.class)
                .hasMessageContaining("alpha");
    }

    /** An agent only a pipeline declares gets its queue and its rights when that file is loaded, not at start. */
    @Test
    void anAgentDeclaredByAPipelineLoadedLaterMayConsumeItsQueue() throws Exception {
        Files.writeString(root.resolve("routes/late.yaml"), """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: late}
                spec:
                  agents:
                    gamma: {role: worker}
                  pipeline:
                    stages:
                      - {name: one, agent: gamma}
                """);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> baton.get("/api/pipelines/late").status() == 200);
        Session s = as("gamma");
        s.createConsumer(s.createQueue("baton.agent.gamma")).close();
        assertThatThrownBy(() -> s.createConsumer(s.createQueue("baton.agent.alpha")))
                .isInstanceOf(JMSSecurityException.class);
    }

    @Test
    void anAgentCannotConsumeAnotherAgentsQueue() throws Exception {
        Session s = as("alpha");
        assertThatThrownBy(() -> s.createConsumer(s.createQueue("baton.agent.beta")))
                .isInstanceOf(JMSSecurityException.class)
                .hasMessageContaining("CONSUME");
        assertThatThrownBy(() -> s.createConsumer(s.createQueue("baton.results")))
                .isInstanceOf(JMSSecurityException.class);
        assertThatThrownBy(() -> s.createConsumer(s.createQueue("baton.DLQ"))).isInstanceOf(JMSSecurityException.class);
    }

    @Test
    void anAgentCannotBrowseItsOwnQueueOrAnothers() throws Exception {
        Session s = as("alpha");
        for (String q : List.of("baton.agent.alpha", "baton.agent.beta")) {
            assertThatThrownBy(() ->
                            s.createBrowser(s.createQueue(q)).getEnumeration().hasMoreElements())
                    .as(q)
                    .isInstanceOf(JMSSecurityException.class)
                    .hasMessageContaining("BROWSE");
        }
    }

    @Test
    void anAgentCannotCreateQueuesOrAddresses() throws Exception {
        Session s = as("alpha");
        assertThatThrownBy(() -> s.createConsumer(s.createQueue("baton.agent.alpha-new")))
                .isInstanceOf(JMSSecurityException.class);
        assertThatThrownBy(() -> s.createSharedDurableConsumer(s.createTopic("baton.events"), "mine"))
                .isInstanceOf(JMSSecurityException.class);
        assertThatThrownBy(() -> s.createConsumer(s.createTopic("baton.events")))
                .isInstanceOf(JMSSecurityException.class);
        assertThatThrownBy(s::createTemporaryQueue).isInstanceOf(JMSSecurityException.class);
    }

    @Test
    void anAgentCanSendOnlyToResultsAndHeartbeats() throws Exception {
        Session s = as("alpha");
        for (String q : List.of(
                "baton.agent.beta",
                "baton.agent.alpha",
                "baton.submit",
                "baton.approvals",
                "baton.coordinator",
                "baton.DLQ",
                "activemq.management")) {
            var producer = s.createProducer(s.createQueue(q));
            producer.setDeliveryMode(DeliveryMode.PERSISTENT); // a blocking send: the refusal comes back here
            assertThatThrownBy(() -> producer.send(s.createTextMessage("{}")))
                    .as(q)
                    .isInstanceOf(JMSSecurityException.class)
                    .hasMessageMatching(".*permission='(SEND|MANAGE)'.*");
        }
        assertThatThrownBy(() -> s.createProducer(s.createTopic("baton.events")).send(s.createTextMessage("{}")))
                .isInstanceOf(JMSSecurityException.class);
    }

    @Test
    void aWrongPasswordAnUnknownUserAndNoLoginAreRefused() {
        String url = "tcp://127.0.0.1:" + baton.server.settings().broker().port();
        assertThatThrownBy(() -> new ActiveMQConnectionFactory(url, "alpha", "wrong-password")
                        .createConnection()
                        .close())
                .isInstanceOf(JMSSecurityException.class);
        assertThatThrownBy(() -> new ActiveMQConnectionFactory(url, "nobody", "whatever1")
                        .createConnection()
                        .close())
                .isInstanceOf(JMSSecurityException.class);
        assertThatThrownBy(() ->
                        new ActiveMQConnectionFactory(url).createConnection().close())
                .isInstanceOf(JMSSecurityException.class);
        // Baton's own user exists, but its password is the process's own, not a guessable default
        assertThatThrownBy(() -> new ActiveMQConnectionFactory(url, "baton", "baton")
                        .createConnection()
                        .close())
                .isInstanceOf(JMSSecurityException.class);
    }

    @Test
    void theUsersFileHoldsOnlyHashesAndANewUserLogsInWithoutARestart() throws Exception {
        var b = baton.server.settings().broker();
        baton.agentConnections("beta").createConnection().close();
        String users = Files.readString(b.usersFile());
        assertThat(users).contains("beta = ENC(").doesNotContain(TestBaton.agentPassword("beta"));
        assertThat(Files.readString(b.rolesFile())).containsPattern("(?m)^agent\\.beta = beta$");
        // a new password replaces the old one at once
        BrokerUsers.put(b.usersFile(), b.rolesFile(), "beta", "another-secret", BrokerUsers.Kind.AGENT);
        String url = "tcp://127.0.0.1:" + b.port();
        new ActiveMQConnectionFactory(url, "beta", "another-secret")
                .createConnection()
                .close();
        assertThatThrownBy(() -> BrokerUsers.put(
                        b.usersFile(), b.rolesFile(), "be#ta", "another-secret", BrokerUsers.Kind.AGENT))
                .hasMessageContaining("user name 'be#ta'");
        baton.agentConnections("beta").createConnection().close(); // back to the test password
    }

    @Test
    void theManagementAddressAnswersBatonButNotAnAgent() throws Exception {
        try (Connection admin = baton.brokerConnections().createConnection()) {
            admin.start();
            Session s = admin.createSession(false, Session.AUTO_ACKNOWLEDGE);
            var request = s.createMessage();
            JMSManagementHelper.putAttribute(request, "queue.baton.results", "messageCount");
            var reply = new jakarta.jms.QueueRequestor(
                            (jakarta.jms.QueueSession) s, s.createQueue("activemq.management"))
                    .request(request);
            assertThat(JMSManagementHelper.hasOperationSucceeded(reply)).isTrue();
        }
        Session s = as("alpha");
        var request = s.createMessage();
        JMSManagementHelper.putAttribute(request, "queue.baton.results", "messageCount");
        var producer = s.createProducer(s.createQueue("activemq.management"));
        assertThatThrownBy(() -> producer.send(request)).isInstanceOf(JMSSecurityException.class);
    }

    /** What listens is what broker.xml declares: its acceptors, on the loopback address, and no JMX, no console. */
    @Test
    void onlyTheAcceptorsOfBrokerXmlListenAndNoConsoleIsServed() throws Exception {
        String xml = Files.readString(Path.of("broker/broker.xml"));
        TreeSet<String> declared = new TreeSet<>();
        Matcher m = Pattern.compile("<acceptor name=\"([^\"]+)\">([^<]+)</acceptor>")
                .matcher(xml);
        while (m.find()) {
            declared.add(m.group(1));
            assertThat(m.group(2))
                    .as("acceptor %s", m.group(1))
                    .satisfiesAnyOf(
                            uri -> assertThat(uri).startsWith("vm://"),
                            uri -> assertThat(uri).contains("${baton.broker.host:127.0.0.1}"));
        }
        var server = baton.server.broker().server();
        assertThat(new TreeSet<>(server.getRemotingService().getAcceptors().keySet()))
                .isEqualTo(declared);
        for (TransportConfiguration c : server.getConfiguration().getAcceptorConfigurations()) {
            Object host = c.getParams().get("host");
            assertThat(host == null || "127.0.0.1".equals(host))
                    .as("acceptor %s host %s", c.getName(), host)
                    .isTrue();
        }
        assertThat(server.getConfiguration().isJMXManagementEnabled()).isFalse();
        assertThat(server.getConfiguration().isSecurityEnabled()).isTrue();
        assertThat(server.getConfiguration().isPopulateValidatedUser()).isTrue();
        assertThat(xml).doesNotContain("<web").doesNotContain("jolokia").doesNotContain("hawtio");

        HttpClient http = HttpClient.newHttpClient();
        for (String path : List.of("/jolokia", "/hawtio", "/api/console", "/q/dev", "/actuator")) {
            int status = http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + baton.port + path))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
            assertThat(status).as(path).isIn(401, 403, 404);
        }
        // /console/ is Baton's own web console (static pages that call the guarded API), not a broker console.
        var console = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + baton.port + "/console/"))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(console.statusCode()).isEqualTo(200);
        assertThat(console.body())
                .contains("<title>Baton")
                .doesNotContainIgnoringCase("artemis")
                .doesNotContainIgnoringCase("hawtio");
        // The acceptors' URIs as the running broker has them, for the report when this fails.
        TreeSet<String> configured = server.getConfiguration().getAcceptorConfigurations().stream()
                .map(TransportConfiguration::getName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(configured).isEqualTo(declared);
    }

    /** The broker stamps who sent a reply; a reply by one agent's user for another agent's ticket is refused. */
    @Test
    void aReplyFromAnotherAgentsUserIsRefusedAndNotApplied() throws Exception {
        Session alpha = as("alpha");
        MessageConsumer tickets = alpha.createConsumer(alpha.createQueue("baton.agent.alpha"));
        String runId = baton.startRun("sec", "{}");
        JsonNode t = Json.parse(((TextMessage) tickets.receive(30_000)).getText());
        String ticketId = t.path("ticketId").asText();
        try (Connection beta = baton.agentConnections("beta").createConnection()) {
            Session s = beta.createSession(false, Session.AUTO_ACKNOWLEDGE);
            TextMessage forged = s.createTextMessage(Json.write(Json.object()
                    .put("ticketId", ticketId)
                    .put("attempt", t.path("attempt").asInt())
                    .put("status", "succeeded")
                    .put("output", "forged")));
            forged.setJMSCorrelationID(ticketId);
            forged.setStringProperty("_AMQ_VALIDATED_USER", "alpha"); // the broker overwrites it
            s.createProducer(s.createQueue("baton.results")).send(forged);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> history(runId).contains("REFUSED"));
        JsonNode refused = baton.get("/api/runs/" + runId + "/history").body().findParents("status").stream()
                .filter(h -> h.path("status").asText().equals("REFUSED"))
                .findFirst()
                .orElseThrow();
        assertThat(refused.path("detail").asText()).isEqualTo("reply sent by broker user 'beta', not by agent 'alpha'");
        JsonNode run = baton.get("/api/runs/" + runId).body();
        assertThat(run.path("status").asText()).isEqualTo("RUNNING");
        assertThat(run.at("/stages/0/status").asText()).isIn("QUEUED", "RUNNING");
        assertThat(run.at("/context/work").isMissingNode()).isTrue();

        // the real agent's reply still completes the ticket
        TextMessage reply = alpha.createTextMessage(Json.write(Json.object()
                .put("ticketId", ticketId)
                .put("attempt", t.path("attempt").asInt())
                .put("status", "succeeded")
                .put("output", "genuine")));
        reply.setJMSCorrelationID(ticketId);
        alpha.createProducer(alpha.createQueue("baton.results")).send(reply);
        assertThat(baton.awaitRun(runId, Duration.ofSeconds(30))
                        .at("/context/work")
                        .asText())
                .isEqualTo("genuine");
    }

    private static List<String> history(String runId) throws Exception {
        return baton.query("SELECT status FROM ticket_history WHERE run_id = ?", runId).stream()
                .map(r -> r.get("status").toString())
                .toList();
    }
}
