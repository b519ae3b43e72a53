package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import dev.baton.pipeline.Json;
import jakarta.jms.Connection;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example agent {@code examples/python-agent/agent.py} (Python, standard library, STOMP) as a real process,
 * as the agent of one stage of a pipeline whose other stages are demo agents: it completes tickets, reports
 * progress, publishes heartbeats, stops work when cancelled, and shuts down cleanly on SIGTERM.
 */
class PythonAgentTest {
    static final Path AGENT = Path.of("examples", "python-agent", "agent.py");

    @TempDir
    static Path root;

    static TestBaton baton;
    final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(root, """
                agents:
                  prepare: {kind: demo, output: "{{ input }} from java"}
                  py: {kind: external}
                  finish: {kind: demo, output: {python: "{{ input.answer }}", language: "{{ input.language }}"}}
                """, Map.of("mixed.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: mixed}
                spec:
                  params:
                    topic: {required: true}
                  pipeline:
                    stages:
                      - {name: prepare, agent: prepare, input: "$.params.topic", output: "$.prepared"}
                      - {name: think, dependsOn: [prepare], agent: py, input: "$.prepared", output: "$.thought", timeout: 30s}
                      - {name: finish, dependsOn: [think], agent: finish, input: "$.thought", output: "$.result"}
                """));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    @AfterEach
    void killAgents() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void thePythonAgentCompletesItsStageWithProgressAndHeartbeats() throws Exception {
        var cf = baton.brokerConnections();
        try (Connection c = cf.createConnection()) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            var heartbeats = s.createConsumer(s.createTopic("baton.heartbeats"));
            c.start();
            Path log = root.resolve("py-1.log");
            agent(log, "--instance", "py-test-1", "--heartbeat", "1", "--capability", "think");

            String runId = baton.startRun("mixed", "{\"params\": {\"topic\": \"durable agents\"}}");
            JsonNode run = baton.awaitRun(runId, Duration.ofSeconds(60));

            assertThat(run.path("status").asText()).as(Files.readString(log)).isEqualTo("SUCCEEDED");
            assertThat(run.at("/context/thought/language").asText()).isEqualTo("python");
            assertThat(run.at("/context/thought/input").asText()).isEqualTo("durable agents from java");
            assertThat(run.at("/context/thought/answer").asText()).isEqualTo("DURABLE AGENTS FROM JAVA");
            assertThat(run.at("/context/result/python").asText()).isEqualTo("DURABLE AGENTS FROM JAVA");
            JsonNode think = run.at("/stages/1");
            assertThat(think.path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(think.at("/tickets/0/agent").asText()).isEqualTo("py");
            assertThat(think.at("/tickets/0/output/answer").asText()).isEqualTo("DURABLE AGENTS FROM JAVA");
            List<String> thinkHistory = new ArrayList<>();
            for (JsonNode h : baton.get("/api/runs/" + runId + "/history").body()) {
                if (h.path("stage").asText().equals("think"))
                    thinkHistory.add(h.path("status").asText());
            }
            assertThat(thinkHistory)
                    .as("progress made it RUNNING")
                    .containsSubsequence("QUEUED", "RUNNING", "SUCCEEDED");

            TextMessage beat = (TextMessage) heartbeats.receive(30_000);
            assertThat(beat).as("a heartbeat within 30 s").isNotNull();
            JsonNode hb = Json.parse(beat.getText());
            assertThat(hb.path("type").asText()).isEqualTo("heartbeat");
            assertThat(hb.path("agent").asText()).isEqualTo("py");
            assertThat(hb.path("instance").asText()).isEqualTo("py-test-1");
            assertThat(hb.path("capabilities").get(0).asText()).isEqualTo("think");
            assertThat(java.time.Instant.parse(hb.path("at").asText())).isNotNull();
        }
    }

    @Test
    void aCancelledTicketStopsThePythonAgentsWork() throws Exception {
        Path log = root.resolve("py-cancel.log");
        agent(log, "--work-seconds", "120");
        String runId = baton.startRun("mixed", "{\"params\": {\"topic\": \"long\"}}");
        await().atMost(Duration.ofSeconds(60))
                .until(() -> ticketStatus(runId, "think").equals("RUNNING"));

        assertThat(baton.post("/api/runs/" + runId + "/cancel", "{\"reason\": \"enough\"}")
                        .status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(log).contains("cancelled; stopped"));
        JsonNode run = baton.awaitRun(runId, Duration.ofSeconds(30));
        assertThat(run.path("status").asText()).isEqualTo("CANCELLED");
        assertThat(ticketStatus(runId, "think")).isEqualTo("CANCELLED");
        assertThat(Files.readString(log)).contains("cancel ticket").doesNotContain("succeeded");
    }

    @Test
    void onSigtermTheAgentLeavesItsTicketToAnotherInstanceAndExitsCleanly() throws Exception {
        Path first = root.resolve("py-term-1.log");
        Process slow = agent(first, "--work-seconds", "120");
        String runId = baton.startRun("mixed", "{\"params\": {\"topic\": \"handover\"}}");
        await().atMost(Duration.ofSeconds(60))
                .until(() -> ticketStatus(runId, "think").equals("RUNNING"));

        slow.destroy(); // SIGTERM
        assertThat(slow.waitFor(30, TimeUnit.SECONDS)).as("exits within 30 s").isTrue();
        assertThat(slow.exitValue()).isZero();
        assertThat(Files.readString(first))
                .contains("left for another instance")
                .contains("stopped");

        Path second = root.resolve("py-term-2.log");
        agent(second);
        JsonNode run = baton.awaitRun(runId, Duration.ofSeconds(60));
        assertThat(run.path("status").asText()).as(Files.readString(second)).isEqualTo("SUCCEEDED");
        assertThat(run.at("/context/thought/answer").asText()).isEqualTo("HANDOVER FROM JAVA");
        assertThat(run.at("/stages/1/attempts").asInt())
                .as("the broker redelivered the same attempt")
                .isEqualTo(1);
    }

    @Test
    void aBadOptionIsRefusedWithAMessageAndConnectsNowhere() throws Exception {
        Path log = root.resolve("py-bad.log");
        Process p = agent(log, "--heartbeat", "0");
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(Files.readString(log)).contains("--heartbeat must be positive");
    }

    private Process agent(Path log, String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                "python3",
                AGENT.toString(),
                "--agent",
                "py",
                "--port",
                Integer.toString(baton.server.settings().broker().stompPort())));
        cmd.addAll(List.of(options));
        // The agent logs in as its own broker user, with an agent's rights only (docs/security.md).
        baton.agentConnections("py");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("BATON_BROKER_USER", "py");
        pb.environment().put("BATON_BROKER_PASSWORD", TestBaton.agentPassword("py"));
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private static String ticketStatus(String runId, String stage) {
        for (JsonNode st : baton.server.runs().get(runId).path("stages")) {
            if (st.path("name").asText().equals(stage) && st.path("tickets").size() > 0) {
                return st.at("/tickets/0/status").asText();
            }
        }
        return "";
    }
}
