package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import dev.baton.compile.Endpoints;
import dev.baton.pipeline.Json;
import dev.baton.ticket.Rows.Outgoing;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every transition of a run is published on baton.events, in order, once, and served by the events endpoint. */
class EventsTest {
    @TempDir
    static Path root;

    static TestBaton baton;
    static Connection connection;
    /** Every event received on baton.events, in arrival order. */
    static final List<JsonNode> received = Collections.synchronizedList(new ArrayList<>());

    static final String TWO_STAGES = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: two-stages}
            spec:
              pipeline:
                stages:
                  - {name: first, agent: worker, output: "$.first"}
                  - {name: second, dependsOn: [first], agent: worker, output: "$.second"}
            """;

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(root, "default: {kind: demo}\n", Map.of("two-stages.yaml", TWO_STAGES));
        connection = baton.brokerConnections().createConnection();
        Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer subscriber = session.createConsumer(session.createTopic(Endpoints.EVENTS));
        subscriber.setMessageListener(m -> {
            try {
                received.add(Json.parse(((TextMessage) m).getText()));
            } catch (jakarta.jms.JMSException e) {
                throw new IllegalStateException(e);
            }
        });
        connection.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (connection != null) connection.close();
        if (baton != null) baton.close();
    }

    @Test
    void aSubscriberSeesEveryTransitionOfATwoStageRunInOrder() throws Exception {
        String runId = baton.startRun("two-stages", "{}");
        assertThat(baton.awaitRun(runId, Duration.ofSeconds(30)).path("status").asText())
                .isEqualTo("SUCCEEDED");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> ofRun(runId).stream()
                        .anyMatch(e -> e.path("type").asText().equals("run")
                                && e.path("status").asText().equals("SUCCEEDED")));

        List<JsonNode> events = ofRun(runId);
        assertThat(events)
                .map(e -> e.path("type").asText() + " " + e.path("status").asText() + " "
                        + e.path("stage").asText("-"))
                .containsExactly(
                        "run RUNNING -",
                        "ticket QUEUED first",
                        "ticket RUNNING first",
                        "ticket SUCCEEDED first",
                        "stage SUCCEEDED first",
                        "ticket QUEUED second",
                        "ticket RUNNING second",
                        "ticket SUCCEEDED second",
                        "stage SUCCEEDED second",
                        "run SUCCEEDED -");
        assertThat(events).map(e -> e.path("seq").asInt()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        assertThat(events).allSatisfy(e -> {
            assertThat(e.path("pipeline").asText()).isEqualTo("two-stages");
            assertThat(e.path("id").asText())
                    .isEqualTo(Events.id(runId, e.path("seq").asInt()));
            assertThat(e.path("at").asText()).isNotEmpty();
        });
        JsonNode queued = events.get(1);
        assertThat(queued.path("attempt").asInt()).isEqualTo(1);
        assertThat(queued.path("agent").asText()).isEqualTo("worker");
        assertThat(queued.path("ticketId").asText()).isNotEmpty();
        // The run-finished event keeps the fields it had before every transition was published.
        JsonNode finished = events.get(9);
        assertThat(finished.has("error")).isTrue();
        assertThat(finished.path("error").isNull()).isTrue();
        assertThat(finished.path("runId").asText()).isEqualTo(runId);

        TestBaton.Response served = baton.get("/api/runs/" + runId + "/events");
        assertThat(served.status()).isEqualTo(200);
        assertThat(served.body()).containsExactlyElementsOf(events);
    }

    @Test
    void anEventSentAgainAfterACrashIsNotPublishedTwice() throws Exception {
        String runId = baton.startRun("two-stages", "{}");
        baton.awaitRun(runId, Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(10)).until(() -> ofRun(runId).size() == 10);
        JsonNode last = ofRun(runId).get(9);

        // What the outbox sweep does with a row a crash left between the broker send and the row's delete.
        Outgoing again = new Outgoing(
                last.path("id").asText(), Endpoints.topic(Endpoints.EVENTS), Json.write(last), runId, null, 4, 0, 0);
        baton.server.camel().createProducerTemplate().sendBody(Endpoints.RELAY, List.of(again));
        String marker = baton.startRun("two-stages", "{}");
        await().atMost(Duration.ofSeconds(30)).until(() -> ofRun(marker).size() == 10);

        assertThat(ofRun(runId))
                .as("the copy carries the same duplicate-detection id and is dropped")
                .hasSize(10);
    }

    @Test
    void theEventsOfAnUnknownRunAreA404Problem() throws Exception {
        TestBaton.Response r = baton.get("/api/runs/no-such-run/events");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
        assertThat(r.body().path("detail").asText()).isEqualTo("run 'no-such-run' does not exist");
    }

    private static List<JsonNode> ofRun(String runId) {
        synchronized (received) {
            return received.stream()
                    .filter(e -> e.path("runId").asText().equals(runId))
                    .toList();
        }
    }
}
