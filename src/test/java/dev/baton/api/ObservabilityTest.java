package dev.baton.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import dev.baton.LogCapture;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /api/metrics carries the run and ticket series after runs; log lines carry the run and ticket ids. */
public class ObservabilityTest {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    @TempDir
    static Path root;
    static TestBaton baton;

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(root, """
                agents:
                  greeter: {kind: demo, delay: 300ms}
                  broken: {kind: demo, fail: true}
                """, Map.of("watched.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: watched}
                spec:
                  pipeline:
                    stages:
                      - {name: first, agent: greeter}
                      - {name: second, dependsOn: [first], agent: greeter}
                """, "doomed.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: doomed}
                spec:
                  pipeline:
                    stages:
                      - {name: only, agent: broken}
                """, "gated.yaml", JmsSubmitTest.GATED, "logged.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: logged}
                spec:
                  pipeline:
                    stages:
                      - {name: first, agent: greeter}
                      - {name: second, dependsOn: [first], agent: greeter}
                """));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    /** The value of the one sample with this name and exactly these labels, if there is one. */
    public static OptionalDouble sample(String text, String name, String... labels) {
        Map<String, String> want = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i += 2) want.put(labels[i], labels[i + 1]);
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (line.startsWith("#") || !m.matches() || !m.group(1).equals(name)) continue;
            Map<String, String> got = new LinkedHashMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) got.put(l.group(1), l.group(2));
            }
            if (got.equals(want)) return OptionalDouble.of(Double.parseDouble(m.group(4)));
        }
        return OptionalDouble.empty();
    }

    @Test
    void theMetricsCarryRunsTicketTimesAndGauges() throws Exception {
        String ok = baton.startRun("watched", "{}");
        String bad = baton.startRun("doomed", "{}");
        assertThat(baton.awaitRun(ok, Duration.ofSeconds(60)).path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(baton.awaitRun(bad, Duration.ofSeconds(60)).path("status").asText()).isEqualTo("FAILED");
        String gated = baton.startRun("gated", "{}");
        await().atMost(Duration.ofSeconds(30)).until(() ->
                baton.server.runs().get(gated).at("/stages/0/status").asText().equals("WAITING_APPROVAL"));

        // counters and histograms are recorded after their transaction commits; gauges are cached for 2 s
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String text = baton.getText("/api/metrics");
            assertThat(sample(text, "baton_runs_started_total", "pipeline", "watched")).hasValue(1.0);
            assertThat(sample(text, "baton_runs_started_total", "pipeline", "doomed")).hasValue(1.0);
            assertThat(sample(text, "baton_runs_ended_total", "pipeline", "watched", "status", "SUCCEEDED"))
                    .hasValue(1.0);
            assertThat(sample(text, "baton_runs_ended_total", "pipeline", "doomed", "status", "FAILED"))
                    .hasValue(1.0);
            assertThat(sample(text, "baton_runs_ended_total", "pipeline", "watched", "status", "FAILED")).isEmpty();
            for (String stage : new String[] {"first", "second"}) {
                String[] labels = {"agent", "greeter", "pipeline", "watched", "stage", stage};
                assertThat(sample(text, "baton_ticket_queue_wait_seconds_count", labels)).as(stage).hasValue(1.0);
                assertThat(sample(text, "baton_ticket_processing_seconds_count", labels)).as(stage).hasValue(1.0);
                // the demo agent reports progress as it starts, then works 300 ms before it answers (Baton times from
                // when it applies the progress, a little after the agent sent it)
                assertThat(sample(text, "baton_ticket_processing_seconds_sum", labels).orElseThrow())
                        .isGreaterThan(0.1);
                assertThat(sample(text, "baton_ticket_processing_seconds_bucket",
                        "agent", "greeter", "pipeline", "watched", "stage", stage, "le", "0.1")).hasValue(0.0);
                assertThat(sample(text, "baton_ticket_processing_seconds_bucket",
                        "agent", "greeter", "pipeline", "watched", "stage", stage, "le", "+Inf")).hasValue(1.0);
                assertThat(sample(text, "baton_ticket_queue_wait_seconds_bucket",
                        "agent", "greeter", "pipeline", "watched", "stage", stage, "le", "+Inf")).hasValue(1.0);
            }
            // an agent that answers at once without progress: its wait is all there is, its processing time is 0
            assertThat(sample(text, "baton_ticket_processing_seconds_sum",
                    "agent", "broken", "pipeline", "doomed", "stage", "only")).hasValue(0.0);
            assertThat(sample(text, "baton_ticket_queue_wait_seconds_count",
                    "agent", "broken", "pipeline", "doomed", "stage", "only")).hasValue(1.0);
            assertThat(sample(text, "baton_runs_in_flight", "pipeline", "gated")).hasValue(1.0);
            assertThat(sample(text, "baton_runs_in_flight", "pipeline", "watched")).isEmpty();
            assertThat(sample(text, "baton_tickets_in_flight", "agent", "greeter")).hasValue(0.0);
            assertThat(sample(text, "baton_queue_depth", "queue", "baton.agent.greeter")).hasValue(0.0);
            assertThat(sample(text, "baton_queue_depth", "queue", "baton.results")).isPresent();
            assertThat(sample(text, "baton_dead_letters")).isPresent();
            assertThat(sample(text, "jvm_threads_live_threads")).isPresent();
        });
    }

    @Test
    void logLinesCarryTheRunAndTicketIds() throws Exception {
        try (LogCapture log = new LogCapture("dev.baton.runtime", Level.DEBUG,
                "run=%X{runId} ticket=%X{ticketId} %c{1} %m%n")) {
            String id = baton.startRun("logged", "{}");
            JsonNode run = baton.awaitRun(id, Duration.ofSeconds(60));
            String ticket = run.at("/stages/1/tickets/0/id").asText();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(log.text())
                    .contains("run=" + id + " ticket=" + ticket + " Tickets dispatching attempt 1 of stage 'second'")
                    .contains("run=" + id + " ticket=" + ticket + " RunEngine applying reply")
                    .contains("run=" + id + " ticket=" + ticket + " Flow run of 'logged' ended SUCCEEDED"));
        }
    }
}
