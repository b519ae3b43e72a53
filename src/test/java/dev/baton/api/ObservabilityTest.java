package dev.baton.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.LogCapture;
import dev.baton.TestBaton;
import dev.baton.agent.FakeService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    static FakeService llm;

    @BeforeAll
    static void start() throws Exception {
        llm = FakeService.start().path("/v1/chat/completions", (n, r) -> FakeService.chatCompletion("\"ok\"", 20, 5));
        baton = TestBaton.start(
                root,
                """
                prices:
                  test-model: {inputPerMillion: 1, outputPerMillion: 2}
                agents:
                  greeter: {kind: demo, delay: 300ms}
                  broken: {kind: demo, fail: true}
                  flaky: {kind: demo, failFirstAttempts: 2}
                  silent: {kind: external}
                  writer: {kind: llm, model: test-model, output: text, baseUrl: "%s"}
                """.formatted(llm.url("/v1")),
                Map.of(
                        "flaky.yaml",
                        """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: flaky}
                spec:
                  pipeline:
                    stages:
                      - {name: shaky, agent: flaky, retry: {maxAttempts: 3, backoff: fixed, initialDelay: 10ms}}
                      - {name: words, agent: writer, dependsOn: [shaky]}
                """,
                        "stalled.yaml",
                        """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: stalled}
                spec:
                  pipeline:
                    stages:
                      - {name: wait, agent: silent, timeout: 1s}
                """,
                        "held.yaml",
                        """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: held}
                spec:
                  pipeline:
                    stages:
                      - {name: hold, agent: silent}
                """,
                        "watched.yaml",
                        """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: watched}
                spec:
                  pipeline:
                    stages:
                      - {name: first, agent: greeter}
                      - {name: second, dependsOn: [first], agent: greeter}
                """,
                        "doomed.yaml",
                        """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: doomed}
                spec:
                  pipeline:
                    stages:
                      - {name: only, agent: broken}
                """,
                        "gated.yaml",
                        JmsSubmitTest.GATED,
                        "logged.yaml",
                        """
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
        if (llm != null) llm.close();
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

    /** Waits until the run's first stage has this status. */
    private static void awaitFirstStage(String runId, String status) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> baton.server
                        .runs()
                        .get(runId)
                        .at("/stages/0/status")
                        .asText()
                        .equals(status));
    }

    /** The samples of one stage's meters in one scrape: its pipeline and stage labels said once. */
    private record StageMeters(String text, String pipeline, String stage) {
        /** The meter's sample with these labels besides the stage's, if there is one. */
        OptionalDouble sample(String name, String... labels) {
            String[] all = Arrays.copyOf(labels, labels.length + 4);
            System.arraycopy(new String[] {"pipeline", pipeline, "stage", stage}, 0, all, labels.length, 4);
            return ObservabilityTest.sample(text, name, all);
        }
    }

    private static StageMeters stage(String text, String pipeline, String stage) {
        return new StageMeters(text, pipeline, stage);
    }

    @Test
    void theMetricsCarryRunsTicketTimesAndGauges() throws Exception {
        String ok = baton.startRun("watched", "{}");
        String bad = baton.startRun("doomed", "{}");
        assertThat(baton.awaitRun(ok, Duration.ofSeconds(60)).path("status").asText())
                .isEqualTo("SUCCEEDED");
        assertThat(baton.awaitRun(bad, Duration.ofSeconds(60)).path("status").asText())
                .isEqualTo("FAILED");
        String gated = baton.startRun("gated", "{}");
        awaitFirstStage(gated, "WAITING_APPROVAL");

        // counters and histograms are recorded after their transaction commits; gauges are cached for 2 s
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String text = baton.getText("/api/metrics");
            StageMeters onlyStage = stage(text, "doomed", "only");
            StageMeters secondStage = stage(text, "watched", "second");
            assertThat(sample(text, "baton_runs_started_total", "pipeline", "watched"))
                    .hasValue(1.0);
            assertThat(sample(text, "baton_runs_started_total", "pipeline", "doomed"))
                    .hasValue(1.0);
            assertThat(sample(text, "baton_runs_ended_total", "pipeline", "watched", "status", "SUCCEEDED"))
                    .hasValue(1.0);
            assertThat(sample(text, "baton_runs_ended_total", "pipeline", "doomed", "status", "FAILED"))
                    .hasValue(1.0);
            assertThat(sample(text, "baton_runs_ended_total", "pipeline", "watched", "status", "FAILED"))
                    .isEmpty();
            for (String stage : new String[] {"first", "second"}) {
                String[] labels = {"agent", "greeter", "pipeline", "watched", "stage", stage};
                String[] succeeded = {"agent", "greeter", "outcome", "succeeded", "pipeline", "watched", "stage", stage
                };
                assertThat(sample(text, "baton_ticket_queue_wait_seconds_count", labels))
                        .as(stage)
                        .hasValue(1.0);
                assertThat(sample(text, "baton_ticket_processing_seconds_count", succeeded))
                        .as(stage)
                        .hasValue(1.0);
                // the demo agent reports progress as it starts, then works 300 ms before it answers (Baton times from
                // when it applies the progress, a little after the agent sent it)
                assertThat(sample(text, "baton_ticket_processing_seconds_sum", succeeded)
                                .orElseThrow())
                        .isGreaterThan(0.1);
                assertThat(sample(
                                text,
                                "baton_ticket_processing_seconds_bucket",
                                "agent",
                                "greeter",
                                "le",
                                "0.1",
                                "outcome",
                                "succeeded",
                                "pipeline",
                                "watched",
                                "stage",
                                stage))
                        .hasValue(0.0);
                assertThat(sample(
                                text,
                                "baton_ticket_processing_seconds_bucket",
                                "agent",
                                "greeter",
                                "le",
                                "+Inf",
                                "outcome",
                                "succeeded",
                                "pipeline",
                                "watched",
                                "stage",
                                stage))
                        .hasValue(1.0);
                assertThat(sample(
                                text,
                                "baton_ticket_queue_wait_seconds_bucket",
                                "agent",
                                "greeter",
                                "pipeline",
                                "watched",
                                "stage",
                                stage,
                                "le",
                                "+Inf"))
                        .hasValue(1.0);
            }
            // an agent that answers at once without progress: its wait is all there is, its processing time is 0
            assertThat(onlyStage.sample("baton_ticket_processing_seconds_sum", "agent", "broken", "outcome", "failed"))
                    .hasValue(0.0);
            assertThat(onlyStage.sample("baton_ticket_attempts_total", "agent", "broken", "outcome", "failed"))
                    .hasValue(1.0);
            assertThat(onlyStage.sample("baton_ticket_failures_total", "agent", "broken"))
                    .hasValue(1.0);
            assertThat(onlyStage.sample("baton_stage_duration_seconds_count", "outcome", "failed"))
                    .hasValue(1.0);
            assertThat(secondStage.sample("baton_stage_duration_seconds_count", "outcome", "succeeded"))
                    .hasValue(1.0);
            assertThat(onlyStage.sample("baton_ticket_queue_wait_seconds_count", "agent", "broken"))
                    .hasValue(1.0);
            assertThat(sample(text, "baton_runs_in_flight", "pipeline", "gated"))
                    .hasValue(1.0);
            assertThat(sample(text, "baton_runs_in_flight", "pipeline", "watched"))
                    .isEmpty();
            assertThat(sample(text, "baton_tickets_in_flight", "agent", "greeter"))
                    .hasValue(0.0);
            assertThat(sample(text, "baton_queue_depth", "queue", "baton.agent.greeter"))
                    .hasValue(0.0);
            assertThat(sample(text, "baton_queue_depth", "queue", "baton.results"))
                    .isPresent();
            assertThat(sample(text, "baton_dead_letters")).isPresent();
            assertThat(sample(text, "jvm_threads_live_threads")).isPresent();
        });
    }

    @Test
    void aStageThatFailedTwiceThenSucceededShowsItsFailuresRetriesAndOutcomes() throws Exception {
        String id = baton.startRun("flaky", "{}");
        assertThat(baton.awaitRun(id, Duration.ofSeconds(60)).path("status").asText())
                .isEqualTo("SUCCEEDED");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String text = baton.getText("/api/metrics");
            StageMeters shakyStage = stage(text, "flaky", "shaky");
            StageMeters wordsStage = stage(text, "flaky", "words");
            String[] where = {"agent", "flaky", "pipeline", "flaky", "stage", "shaky"};
            assertThat(sample(text, "baton_ticket_failures_total", where)).hasValue(2.0);
            assertThat(sample(text, "baton_ticket_retries_total", where)).hasValue(2.0);
            assertThat(shakyStage.sample("baton_ticket_attempts_total", "agent", "flaky", "outcome", "retried"))
                    .hasValue(2.0);
            assertThat(shakyStage.sample("baton_ticket_attempts_total", "agent", "flaky", "outcome", "succeeded"))
                    .hasValue(1.0);
            assertThat(shakyStage.sample("baton_ticket_attempts_total", "agent", "flaky", "outcome", "failed"))
                    .isEmpty();
            assertThat(shakyStage.sample(
                            "baton_ticket_processing_seconds_count", "agent", "flaky", "outcome", "retried"))
                    .hasValue(2.0);
            assertThat(shakyStage.sample(
                            "baton_ticket_processing_seconds_count", "agent", "flaky", "outcome", "succeeded"))
                    .hasValue(1.0);
            assertThat(shakyStage.sample("baton_stage_duration_seconds_count", "outcome", "succeeded"))
                    .hasValue(1.0);
            assertThat(shakyStage.sample("baton_stage_duration_seconds_count", "outcome", "failed"))
                    .isEmpty();
            // the llm stage's tokens, priced by the registry's table: 20 * $1/M + 5 * $2/M
            String[] words = {"agent", "writer", "pipeline", "flaky", "stage", "words"};
            assertThat(wordsStage.sample("baton_tokens_total", "agent", "writer", "type", "total"))
                    .hasValue(25.0);
            assertThat(wordsStage.sample("baton_tokens_total", "agent", "writer", "type", "completion"))
                    .hasValue(5.0);
            assertThat(sample(text, "baton_cost_usd_total", words).orElseThrow())
                    .isCloseTo(0.00003, org.assertj.core.data.Offset.offset(1e-12));
        });
    }

    @Test
    void anAttemptWhoseLeaseRanOutIsTimedOutAndOneInFlightWhenTheRunIsCancelledIsCancelled() throws Exception {
        String stalled = baton.startRun("stalled", "{}");
        assertThat(baton.awaitRun(stalled, Duration.ofSeconds(60))
                        .path("status")
                        .asText())
                .isEqualTo("FAILED");
        String held = baton.startRun("held", "{}");
        awaitFirstStage(held, "QUEUED");
        assertThat(baton.post("/api/runs/" + held + "/cancel", "{}").status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String text = baton.getText("/api/metrics");
            StageMeters waitStage = stage(text, "stalled", "wait");
            StageMeters holdStage = stage(text, "held", "hold");
            assertThat(waitStage.sample("baton_ticket_attempts_total", "agent", "silent", "outcome", "timed_out"))
                    .hasValue(1.0);
            assertThat(waitStage.sample("baton_ticket_failures_total", "agent", "silent"))
                    .hasValue(1.0);
            assertThat(waitStage.sample("baton_stage_duration_seconds_count", "outcome", "timed_out"))
                    .hasValue(1.0);
            assertThat(holdStage.sample("baton_ticket_attempts_total", "agent", "silent", "outcome", "cancelled"))
                    .hasValue(1.0);
            assertThat(holdStage.sample("baton_stage_duration_seconds_count", "outcome", "cancelled"))
                    .hasValue(1.0);
        });
    }

    @Test
    void logLinesCarryTheRunAndTicketIds() throws Exception {
        try (LogCapture log =
                new LogCapture("dev.baton.runtime", Level.DEBUG, "run=%X{runId} ticket=%X{ticketId} %c{1} %m%n")) {
            String id = baton.startRun("logged", "{}");
            JsonNode run = baton.awaitRun(id, Duration.ofSeconds(60));
            String ticket = run.at("/stages/1/tickets/0/id").asText();
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(log.text())
                            .contains("RunEngine run " + id + " of 'logged' started on revision ")
                            .contains("run=" + id + " ticket=" + ticket
                                    + " Tickets dispatching attempt 1 of stage 'second'")
                            .contains("run=" + id + " ticket=" + ticket + " RunEngine applying reply")
                            .contains("run=" + id + " ticket=" + ticket + " Stages run of 'logged' ended SUCCEEDED"));
        }
    }

    @Test
    void everyCompiledStageRouteHasCamelsRouteTimers() throws Exception {
        baton.awaitRun(baton.startRun("logged", "{}"), Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<String> timed = baton.getText("/api/metrics")
                    .lines()
                    .filter(l -> l.startsWith("camel_") && l.contains("routeId=\"baton.logged."))
                    .toList();
            // the start, the run and the end of a stage, and the run's end, each timed by Camel's route policy
            assertThat(timed)
                    .anyMatch(l -> l.contains(".second.run\""))
                    .anyMatch(l -> l.contains(".second.ended\""))
                    .anyMatch(l -> l.contains(".end\""));
        });
    }
}
