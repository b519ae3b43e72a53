package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An instance marked DOWN stays DOWN after Baton restarts: the state is in the database, not in memory. */
class AgentRestartTest {
    @TempDir
    Path root;

    @Test
    void aRestartedBatonAgreesThatASilentInstanceIsDown() throws Exception {
        Files.createDirectories(root.resolve("config"));
        Files.writeString(root.resolve("config/application.properties"), "baton.agents.heartbeat-interval = 300ms\n");
        String downAt;
        try (TestBaton baton =
                        TestBaton.start(root, "agents:\n  probe: {kind: external, capabilities: [x]}\n", Map.of());
                AgentHealthTest.Heartbeats beats = new AgentHealthTest.Heartbeats(baton.brokerConnections())) {
            beats.beat("probe", "p1");
            await().atMost(Duration.ofSeconds(30)).until(() -> health(baton).equals("UP"));
            beats.silence("probe", "p1");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> "DOWN"
                            .equals(baton.query("SELECT status FROM agent_instance WHERE agent = 'probe'")
                                    .get(0)
                                    .get("status")));
            downAt = probe(baton).path("instances").get(0).path("downAt").asText();
            assertThat(downAt).isNotBlank();
        }
        try (TestBaton again = TestBaton.restart(root)) {
            JsonNode probe = probe(again);
            assertThat(probe.path("health").asText()).isEqualTo("DOWN");
            assertThat(probe.path("instances").get(0).path("instance").asText()).isEqualTo("p1");
            assertThat(probe.path("instances").get(0).path("downAt").asText())
                    .as("marked once, not again")
                    .isEqualTo(downAt);
        }
    }

    private static String health(TestBaton baton) throws Exception {
        return probe(baton).path("health").asText();
    }

    private static JsonNode probe(TestBaton baton) throws Exception {
        for (JsonNode a : baton.get("/api/agents").body()) {
            if (a.path("name").asText().equals("probe")) return a;
        }
        throw new AssertionError("no probe");
    }
}
