package dev.baton.api;

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

/**
 * {@code GET /api/health} names a broker that blocks producers: the real embedded broker, told by broker.xml's
 * {@code min-disk-free} (more than the disk holds) that its disk is full, does block them, and the health says so
 * with the reason while the other parts stay UP.
 */
class BrokerDiskFullHealthTest {
    @TempDir
    Path root;

    @Test
    void aBrokerWhoseDiskIsFullIsReportedAsBlockingProducers() throws Exception {
        long moreThanTheDisk = Files.getFileStore(root).getTotalSpace() * 2;
        Files.createDirectories(root.resolve("config"));
        Files.writeString(
                root.resolve("config/application.properties"),
                "baton.broker.min-disk-free = " + moreThanTheDisk + "\n");
        try (TestBaton baton = TestBaton.start(root, "agents: {}\n", Map.of())) {
            JsonNode health = await().atMost(Duration.ofSeconds(60))
                    .until(
                            () -> baton.anonymous().get("/api/health").body(),
                            h -> h.path("status").asText().equals("DEGRADED"));
            assertThat(baton.anonymous().get("/api/health").status())
                    .as("ready; a restart would not help")
                    .isEqualTo(200);
            JsonNode broker = health.at("/parts/broker");
            assertThat(broker.path("status").asText()).isEqualTo("DEGRADED");
            assertThat(broker.path("reason").asText())
                    .startsWith("the broker blocks producers, so no run makes "
                            + "progress until this is solved: its disk is full: ")
                    .contains("min-disk-free " + moreThanTheDisk / (1024 * 1024) + " MB");
            assertThat(health.at("/parts/database/status").asText()).isEqualTo("UP");
            assertThat(health.at("/parts/agentRegistry/status").asText()).isEqualTo("UP");
            assertThat(health.at("/parts/security/status").asText()).isEqualTo("UP");
            assertThat(baton.server.broker().server().getPagingManager().isDiskFull())
                    .as("the broker itself believes it")
                    .isTrue();
        }
    }
}
