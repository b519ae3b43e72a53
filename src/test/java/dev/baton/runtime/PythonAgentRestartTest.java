package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import dev.baton.config.BatonSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example Python agent survives a Baton restart: Baton (with its embedded broker) stops while the agent works on
 * a ticket and starts again on the same data and ports; the agent reconnects with back-off, the ticket it held is
 * answered (the broker delivers it again, or its lease dispatches a new attempt), and no run is left stuck.
 */
class PythonAgentRestartTest {
    @TempDir
    Path root;

    @Test
    void theAgentReconnectsAfterBatonRestartsAndTheTicketItHeldIsAnswered() throws Exception {
        // The example pipeline as examples/python-agent/README.md tells to use it: py-writer declared
        // `kind: external` in its spec.agents, config/agents.yaml listing nobody.
        TestBaton first = TestBaton.start(
                root,
                "agents: {}\n",
                Map.of("py-hello.yaml", Files.readString(Path.of("examples", "python-agent", "py-hello.yaml"))));
        Path log = root.resolve("py.log");
        Process agent = null;
        TestBaton second = null;
        boolean firstClosed = false;
        try {
            first.agentConnections("py-writer"); // its broker user, kept in the data folder across the restart
            ProcessBuilder pb = new ProcessBuilder(List.of(
                            "python3",
                            PythonAgentTest.AGENT.toString(),
                            "--agent",
                            "py-writer",
                            "--port",
                            Integer.toString(first.server.settings().broker().stompPort()),
                            "--heartbeat",
                            "1",
                            "--work-seconds",
                            "5",
                            "--reconnect-max",
                            "1"))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().put("BATON_BROKER_USER", "py-writer");
            pb.environment().put("BATON_BROKER_PASSWORD", TestBaton.agentPassword("py-writer"));
            agent = pb.start();

            String held = first.startRun("py-hello", "{\"params\": {\"topic\": \"restart\"}}");
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> ticketStatus(first, held).equals("RUNNING"));
            BatonSettings settings = first.server.settings();
            first.close();
            firstClosed = true;
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> Files.readString(log).contains("connection lost"));
            assertThat(agent.isAlive())
                    .as("the agent waits for the broker instead of exiting")
                    .isTrue();

            second = TestBaton.restartOnSamePorts(root, settings);
            JsonNode run = second.awaitRun(held, Duration.ofSeconds(120));
            String agentLog = Files.readString(log);
            assertThat(run.path("status").asText()).as(agentLog).isEqualTo("SUCCEEDED");
            assertThat(run.at("/context/thought/answer").asText()).isEqualTo("RESTART");
            assertThat(agentLog).contains("stopped: the broker went away").contains("reconnecting");
            assertThat(agentLog.split("connected to ", -1))
                    .as("connected twice")
                    .hasSize(3);

            // And it serves new tickets on the new broker.
            JsonNode next = second.awaitRun(
                    second.startRun("py-hello", "{\"params\": {\"topic\": \"after\"}}"), Duration.ofSeconds(60));
            assertThat(next.path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(next.at("/context/thought/answer").asText()).isEqualTo("AFTER");
            assertThat(second.query("SELECT count(*) AS n FROM run WHERE status = 'RUNNING'")
                            .get(0)
                            .get("n")
                            .toString())
                    .as("no run stuck")
                    .isEqualTo("0");

            agent.destroy(); // SIGTERM: still a clean exit after a reconnect
            assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(agent.exitValue()).isZero();
        } finally {
            if (agent != null) agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            if (second != null) second.close();
            if (!firstClosed) first.close();
        }
    }

    private static String ticketStatus(TestBaton baton, String runId) {
        for (JsonNode st : baton.server.runs().get(runId).path("stages")) {
            if (st.path("name").asText().equals("think") && st.path("tickets").size() > 0) {
                return st.at("/tickets/0/status").asText();
            }
        }
        return "";
    }
}
