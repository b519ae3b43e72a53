package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.ScriptedAgent;
import dev.baton.TestBaton;
import dev.baton.pipeline.Json;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.activemq.artemis.api.jms.management.JMSManagementHelper;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the broker enforces for agents, on the real embedded Artemis: {@code maxConcurrency} as the queue's
 * max-consumers (10 competing consumers never hold more than N tickets), stage and agent priority as JMS priority (a
 * high-priority ticket overtakes a backlog), and a stage {@code deadline} as the ticket's expiration, handled as a
 * timeout of the attempt (retried, or failing the stage) exactly once.
 */
class AgentFlowControlTest {
    static final int MAX = 3;
    static final int TICKETS = 15;
    static final int CONSUMERS = 10;

    @TempDir
    static Path root;

    static TestBaton baton;

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(
                root,
                """
                agents:
                  bounded: {kind: external, maxConcurrency: %d}
                  solo: {kind: external, priority: 7}
                  late: {kind: external}
                  gone: {kind: external}
                  busy: {kind: demo, concurrency: 8, maxConcurrency: 2}
                  shared: {kind: external, role: writer, maxConcurrency: 2}
                """.formatted(MAX),
                Map.of(
                        "merged.yaml",
                        """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: merged}
                spec:
                  agents:
                    shared: {role: reviewer, maxConcurrency: 5, priority: 6, capabilities: [draft]}
                    own: {maxConcurrency: 3}
                  pipeline:
                    stages:
                      - {name: first, agent: shared}
                      - {name: second, agent: own}
                """,
                        "bounded.yaml",
                        pipeline("bounded", "agent: bounded"),
                        "low.yaml",
                        pipeline("low", "agent: solo\n        priority: 1"),
                        "high.yaml",
                        pipeline("high", "agent: solo"),
                        "late.yaml",
                        pipeline("late", """
                        agent: late
                                deadline: 2s
                                retry: {maxAttempts: 4, initialDelay: 100ms}"""),
                        "gone.yaml",
                        pipeline("gone", """
                        agent: gone
                                deadline: 1s
                                timeout: 1h
                                retry: {maxAttempts: 2, initialDelay: 100ms}"""),
                        "busy.yaml",
                        pipeline("busy", "agent: busy"),
                        "steady.yaml",
                        pipeline("steady", "agent: busy\n        deadline: 1m\n        priority: 5")));
    }

    private static String pipeline(String name, String stage) {
        return """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: %s}
                spec:
                  pipeline:
                    stages:
                      - name: work
                        %s
                """.formatted(name, stage);
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    /** Agents that hold one message at a time, as docs/agents.md tells external agents to be. */
    static ActiveMQConnectionFactory agentConnections() {
        var b = baton.server.settings().broker();
        return new ActiveMQConnectionFactory(
                "tcp://127.0.0.1:" + b.port() + "?consumerWindowSize=0", b.user(), b.password());
    }

    @Test
    void tenCompetingConsumersNeverHoldMoreThanMaxConcurrencyTickets() throws Exception {
        assertThat(queueAttribute("bounded", "maxConsumers")).isEqualTo(MAX);
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < TICKETS; i++) runs.add(baton.startRun("bounded", "{}"));
        await().atMost(Duration.ofSeconds(60)).until(() -> queueAttribute("bounded", "messageCount") == TICKETS);

        Holders holders = new Holders();
        List<Thread> threads = new ArrayList<>();
        try (Connection connection = agentConnections().createConnection()) {
            connection.start();
            for (int i = 0; i < CONSUMERS; i++) {
                Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
                Thread t = new Thread(() -> holders.compete(session), "competing-consumer-" + threads.size());
                t.start();
                threads.add(t);
            }
            int[] brokerMax = {0, 0}; // deliveringCount, consumerCount, as the broker reports them meanwhile
            await().atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        brokerMax[0] = Math.max(brokerMax[0], queueAttribute("bounded", "deliveringCount"));
                        brokerMax[1] = Math.max(brokerMax[1], queueAttribute("bounded", "consumerCount"));
                        return runs.stream().allMatch(id -> "SUCCEEDED".equals(status(id)));
                    });
            holders.stop = true;
            for (Thread t : threads) t.join(30_000);

            assertThat(holders.done.get()).as("every ticket done, once").isEqualTo(TICKETS);
            assertThat(holders.maxHeld).as("tickets held at once").isEqualTo(MAX); // reached, never exceeded
            assertThat(brokerMax[0]).as("deliveringCount seen on the broker").isLessThanOrEqualTo(MAX);
            assertThat(brokerMax[1]).as("consumers the broker admitted at once").isLessThanOrEqualTo(MAX);
            assertThat(holders.refused.get()).as("consumers the broker refused").isPositive();
            assertThat(holders.attachedBy.stream().distinct().count())
                    .as("consumers that took turns")
                    .isGreaterThan(MAX);
            assertThat(holders.errors).isEmpty();
        }
    }

    /** Ten consumer threads competing for the bounded queue; each records when it holds and finishes a ticket. */
    static final class Holders {
        final Object monitor = new Object();
        final AtomicInteger done = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();
        final List<String> attachedBy = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile boolean stop;
        int held;
        int maxHeld;

        void compete(Session session) {
            try {
                Queue queue = session.createQueue("baton.agent.bounded");
                MessageProducer replies = session.createProducer(session.createQueue("baton.results"));
                while (!stop) {
                    MessageConsumer consumer;
                    try {
                        consumer = session.createConsumer(queue);
                    } catch (JMSException e) {
                        refused.incrementAndGet(); // max-consumers reached: wait for a turn
                        pause(50);
                        continue;
                    }
                    attachedBy.add(Thread.currentThread().getName());
                    // two tickets per turn, then make room for another consumer
                    for (int n = 0; n < 2 && !stop; ) {
                        Message m = consumer.receive(200);
                        if (m == null) continue;
                        n++;
                        hold();
                        JsonNode ticket = Json.parse(((TextMessage) m).getText());
                        var reply = ScriptedAgent.succeed(
                                Json.object().put("by", Thread.currentThread().getName()));
                        reply.put("ticketId", ticket.path("ticketId").asText())
                                .put("attempt", ticket.path("attempt").asInt());
                        TextMessage out = session.createTextMessage(Json.write(reply));
                        out.setJMSCorrelationID(ticket.path("ticketId").asText());
                        replies.send(out);
                        session.commit();
                        release();
                    }
                    consumer.close();
                    pause(100); // let a waiting consumer take the free place
                }
            } catch (Exception e) {
                errors.add(Thread.currentThread().getName() + ": " + e);
            }
        }

        /** Holds a ticket until MAX are held at once or two seconds have passed: the bound is reached if it can be. */
        private void hold() throws InterruptedException {
            synchronized (monitor) {
                held++;
                maxHeld = Math.max(maxHeld, held);
                monitor.notifyAll();
                long end = System.nanoTime() + 2_000_000_000L;
                while (held < MAX && System.nanoTime() < end) {
                    monitor.wait(Math.max(1, (end - System.nanoTime()) / 1_000_000));
                }
            }
        }

        private void release() {
            synchronized (monitor) {
                held--;
                done.incrementAndGet();
            }
        }

        private void pause(long millis) throws InterruptedException {
            synchronized (monitor) {
                monitor.wait(millis);
            }
        }
    }

    @Test
    void aDemoAgentOpensNoMoreConsumersThanItsMaxConcurrency() throws Exception {
        String id = baton.startRun("busy", "{}");
        assertThat(baton.awaitRun(id, Duration.ofSeconds(60)).path("status").asText())
                .isEqualTo("SUCCEEDED");
        assertThat(queueAttribute("busy", "maxConsumers")).isEqualTo(2);
        await().atMost(Duration.ofSeconds(30)).until(() -> queueAttribute("busy", "consumerCount") == 2);
    }

    @Test
    void theLimitIsSetOnANewQueueAndChangedOnAnExistingOneButNeverBelowTheConsumersAttached() throws Exception {
        var limits = new dev.baton.agent.QueueLimits(agentConnections());
        assertThat(limits.apply("scratch", 2)).isNull();
        assertThat(queueAttribute("scratch", "maxConsumers")).isEqualTo(2);
        assertThat(limits.apply("scratch", 4)).isNull();
        assertThat(queueAttribute("scratch", "maxConsumers")).isEqualTo(4);

        try (Connection c = agentConnections().createConnection()) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            for (int i = 0; i < 3; i++) s.createConsumer(s.createQueue("baton.agent.scratch"));
            String refused = limits.apply("scratch", 1);
            assertThat(refused).as("the broker's refusal").isNotNull();
            assertThat(queueAttribute("scratch", "maxConsumers"))
                    .as("unchanged")
                    .isEqualTo(4);
        }
    }

    @Test
    void theRegistryWinsOverAPipelinesAgentsAndThePipelineFillsTheRestIncludingTheBrokerLimit() throws Exception {
        JsonNode agents = baton.get("/api/agents").body();
        JsonNode shared = null;
        JsonNode own = null;
        for (JsonNode a : agents) {
            if (a.path("name").asText().equals("shared")) shared = a;
            if (a.path("name").asText().equals("own")) own = a;
        }
        assertThat(shared).as("GET /api/agents lists the registry's agent").isNotNull();
        assertThat(shared.path("role").asText()).as("config/agents.yaml wins").isEqualTo("writer");
        assertThat(shared.path("maxConcurrency").asInt()).isEqualTo(2);
        assertThat(shared.path("priority").asInt())
                .as("filled from the pipeline")
                .isEqualTo(6);
        assertThat(shared.path("capabilities").toString()).isEqualTo("[\"draft\"]");
        assertThat(queueAttribute("shared", "maxConsumers"))
                .as("the broker's limit is the registry's")
                .isEqualTo(2);
        assertThat(own).as("an agent only a pipeline declares").isNotNull();
        assertThat(own.path("maxConcurrency").asInt()).isEqualTo(3);
        assertThat(queueAttribute("own", "maxConsumers")).isEqualTo(3);
    }

    @Test
    void aHighPriorityTicketOvertakesAQueuedBacklog() throws Exception {
        List<String> low = new ArrayList<>();
        for (int i = 0; i < 4; i++) low.add(baton.startRun("low", "{}"));
        await().atMost(Duration.ofSeconds(60)).until(() -> queueAttribute("solo", "messageCount") == 4);
        String high = baton.startRun("high", "{}");
        await().atMost(Duration.ofSeconds(60)).until(() -> queueAttribute("solo", "messageCount") == 5);

        List<String> order = new ArrayList<>();
        List<Integer> priorities = new ArrayList<>();
        try (Connection c = agentConnections().createConnection()) {
            c.start();
            Session s = c.createSession(true, Session.SESSION_TRANSACTED);
            MessageConsumer consumer = s.createConsumer(s.createQueue("baton.agent.solo"));
            MessageProducer replies = s.createProducer(s.createQueue("baton.results"));
            for (int i = 0; i < 5; i++) {
                TextMessage m = (TextMessage) consumer.receive(30_000);
                JsonNode ticket = Json.parse(m.getText());
                order.add(ticket.path("pipeline").asText());
                priorities.add(m.getJMSPriority());
                var reply = ScriptedAgent.succeed(Json.object())
                        .put("ticketId", ticket.path("ticketId").asText())
                        .put("attempt", ticket.path("attempt").asInt());
                TextMessage out = s.createTextMessage(Json.write(reply));
                out.setJMSCorrelationID(ticket.path("ticketId").asText());
                replies.send(out);
                s.commit();
            }
        }
        assertThat(order).containsExactly("high", "low", "low", "low", "low");
        // the stage says 1; a stage that says nothing takes the agent's registry priority (7)
        assertThat(priorities).containsExactly(7, 1, 1, 1, 1);
        for (String id : low)
            assertThat(baton.awaitRun(id, Duration.ofSeconds(60)).path("status").asText())
                    .isEqualTo("SUCCEEDED");
        assertThat(baton.awaitRun(high, Duration.ofSeconds(60)).path("status").asText())
                .isEqualTo("SUCCEEDED");
    }

    @Test
    void aTicketNobodyTookBeforeItsDeadlineIsRetriedAsATimeoutOnce() throws Exception {
        String id = baton.startRun("late", "{}");
        await().atMost(Duration.ofSeconds(60)).until(() -> !expiries(id).isEmpty());
        assertThat((String) expiries(id).get(0).get("detail"))
                .startsWith(
                        "deadline expired after 2s on attempt 1: no agent took the ticket from baton.agent.late; retrying in");

        JsonNode run;
        try (ScriptedAgent agent = ScriptedAgent.start(baton, "late", t -> ScriptedAgent.succeed(t.path("attempt")))) {
            run = baton.awaitRun(id, Duration.ofSeconds(60));
            JsonNode taken = agent.tickets.get(0);
            assertThat(taken.path("expiresAt").asText()).isNotBlank();
        }
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        JsonNode ticket = run.path("stages").get(0).path("tickets").get(0);
        int expired = expiries(id).size();
        assertThat(ticket.path("attempt").asInt())
                .as("one attempt per expiry, then the one taken")
                .isEqualTo(expired + 1);
        assertThat(expiries(id))
                .extracting(r -> ((Number) r.get("attempt")).intValue())
                .as("each attempt expired once")
                .doesNotHaveDuplicates();

        // A repeated expiry of the first attempt (e.g. a copy sent again) changes nothing.
        int rows = history(id).size();
        try (Connection c = agentConnections().createConnection()) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            var copy = Json.object()
                    .put("ticketId", ticket.path("id").asText())
                    .put("attempt", 1)
                    .put("runId", id)
                    .put("agent", "late");
            s.createProducer(s.createQueue("baton.tickets.expired")).send(s.createTextMessage(Json.write(copy)));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> attribute("baton.tickets.expired", "messageCount") == 0);
        assertThat(history(id)).hasSize(rows);
        assertThat(baton.server.runs().get(id).path("status").asText()).isEqualTo("SUCCEEDED");
    }

    @Test
    void aTicketThatExpiresOnItsLastAttemptFailsTheStage() throws Exception {
        String id = baton.startRun("gone", "{}");
        JsonNode run = baton.awaitRun(id, Duration.ofSeconds(60));

        assertThat(run.path("status").asText()).isEqualTo("FAILED");
        assertThat(run.path("error").asText())
                .contains("deadline expired after 1s on attempt 2: no agent took the ticket from baton.agent.gone");
        assertThat(expiries(id))
                .extracting(r -> ((Number) r.get("attempt")).intValue())
                .containsExactly(1, 2);
        assertThat(run.path("stages")
                        .get(0)
                        .path("tickets")
                        .get(0)
                        .path("attempt")
                        .asInt())
                .isEqualTo(2);
    }

    @Test
    void anEditWithABadDeadlineOrPriorityIsRefusedAndTheLoadedVersionKeepsRunning() throws Exception {
        String revision =
                baton.get("/api/pipelines/steady").body().path("revision").asText();
        java.nio.file.Files.writeString(
                root.resolve("routes/steady.yaml"),
                pipeline("steady", "agent: busy\n        deadline: 0s\n        priority: 12"));

        await().atMost(Duration.ofSeconds(30))
                .until(() -> baton.get("/api/pipelines").body().path("invalid").findValues("file").stream()
                        .anyMatch(f -> f.asText().endsWith("steady.yaml")));
        JsonNode invalid = null;
        for (JsonNode i : baton.get("/api/pipelines").body().path("invalid")) {
            if (i.path("file").asText().endsWith("steady.yaml")) invalid = i;
        }
        String file = root.resolve("routes/steady.yaml").toString();
        assertThat(invalid.path("errors"))
                .extracting(JsonNode::asText)
                .containsExactly(
                        file + ":9:19 stage 'work': 'deadline' must be longer than zero",
                        file + ":10:19 stage 'work': 'priority' must be an integer from 0 to 9");
        assertThat(baton.get("/api/pipelines/steady").body().path("revision").asText())
                .isEqualTo(revision);
        String id = baton.startRun("steady", "{}");
        assertThat(baton.awaitRun(id, Duration.ofSeconds(60)).path("revision").asText())
                .isEqualTo(revision);
    }

    private static String status(String runId) {
        return baton.server.runs().get(runId).path("status").asText();
    }

    private static List<Map<String, Object>> expiries(String runId) throws Exception {
        return baton.query(
                "SELECT attempt, detail FROM ticket_history WHERE run_id = ? AND status = 'FAILED' "
                        + "AND detail LIKE 'deadline expired%' ORDER BY seq",
                runId);
    }

    private static List<Map<String, Object>> history(String runId) throws Exception {
        return baton.query("SELECT seq FROM ticket_history WHERE run_id = ?", runId);
    }

    /** An attribute of the agent's queue, as the broker reports it. */
    static int queueAttribute(String agent, String attribute) throws Exception {
        return attribute("baton.agent." + agent, attribute);
    }

    /** An attribute of a queue read through the broker's management address. */
    static int attribute(String queue, String attribute) throws Exception {
        try (Connection c = agentConnections().createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            var replies = s.createTemporaryQueue();
            Message m = s.createMessage();
            JMSManagementHelper.putAttribute(m, "queue." + queue, attribute);
            m.setJMSReplyTo(replies);
            s.createProducer(s.createQueue("activemq.management")).send(m);
            Message reply = s.createConsumer(replies).receive(10_000);
            Object result = JMSManagementHelper.getResult(reply);
            return result == null ? -1 : ((Number) result).intValue();
        }
    }
}
