package dev.baton.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import dev.baton.pipeline.Json;
import jakarta.jms.Queue;
import jakarta.jms.TextMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run submitted over JMS answers its submitter even when Baton restarts between the run's start and its end; the
 * metrics of the new process read the run in flight from the database and count its end.
 */
class JmsSubmitRestartTest {
    @TempDir
    Path root;

    @Test
    void theFinalResultIsSentAfterARestart() throws Exception {
        String id;
        try (TestBaton first = TestBaton.start(root, JmsSubmitTest.AGENTS, Map.of("gated.yaml", JmsSubmitTest.GATED));
                JmsSubmitTest.Client client = new JmsSubmitTest.Client(first.brokerConnections())) {
            // a durable reply queue: a temporary one would go with the client's connection to the old broker
            Queue replies = client.session.createQueue("erp.replies");
            client.submit("{}", replies, "po-4711", "BatonPipeline", "gated");
            id = await().atMost(Duration.ofSeconds(30))
                    .until(() -> first.query("SELECT id FROM run"), r -> !r.isEmpty())
                    .get(0)
                    .get("id")
                    .toString();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> first.server
                            .runs()
                            .get(id)
                            .at("/stages/0/status")
                            .asText()
                            .equals("WAITING_APPROVAL"));
        }

        try (TestBaton second = TestBaton.restart(root);
                JmsSubmitTest.Client client = new JmsSubmitTest.Client(second.brokerConnections())) {
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(ObservabilityTest.sample(
                                    second.getText("/api/metrics"), "baton_runs_in_flight", "pipeline", "gated"))
                            .hasValue(1.0));
            assertThat(second.as("alice")
                            .post("/api/runs/" + id + "/approvals/gate", "{\"decision\": \"approve\"}")
                            .status())
                    .isEqualTo(200);
            TextMessage answer = client.receive(client.session.createQueue("erp.replies"));
            assertThat(answer.getJMSCorrelationID()).isEqualTo("po-4711");
            JsonNode run = Json.parse(answer.getText());
            assertThat(run.path("id").asText()).isEqualTo(id);
            assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(run.at("/stages/1/status").asText()).isEqualTo("SUCCEEDED");
            // counters start from zero with the process, as Prometheus expects; the end is counted by this one
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                String text = second.getText("/api/metrics");
                assertThat(ObservabilityTest.sample(
                                text, "baton_runs_ended_total", "pipeline", "gated", "status", "SUCCEEDED"))
                        .hasValue(1.0);
                assertThat(ObservabilityTest.sample(text, "baton_runs_in_flight", "pipeline", "gated"))
                        .isEmpty();
            });
        }
    }
}
