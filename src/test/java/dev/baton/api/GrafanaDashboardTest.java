package dev.baton.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import dev.baton.agent.FakeService;
import dev.baton.pipeline.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard in {@code deploy/grafana} queries only series Baton exports: every metric name in its
 * queries is in {@code GET /api/metrics} after runs that retry, fail, spend tokens and wait, so a renamed metric
 * breaks this test instead of leaving an empty panel.
 */
class GrafanaDashboardTest {
    static final Path DASHBOARD = Path.of("deploy/grafana/baton-dashboard.json");
    /** The families Baton's registry exports: its own, and Micrometer's JVM and process binders. */
    private static final Pattern METRIC = Pattern.compile("\\b((?:baton|jvm|process|system)_[a-z0-9_]+)");

    private static final Pattern SAMPLE_NAME = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");

    @TempDir
    static Path root;

    static FakeService llm;
    static TestBaton baton;

    @BeforeAll
    static void start() throws Exception {
        llm = FakeService.start().path("/v1/chat/completions", (n, r) -> FakeService.chatCompletion("\"ok\"", 12, 3));
        baton = TestBaton.start(root, """
                prices:
                  test-model: {inputPerMillion: 0.15, outputPerMillion: 0.6}
                agents:
                  flaky: {kind: demo, failFirstAttempts: 1}
                  broken: {kind: demo, fail: true}
                  writer: {kind: llm, model: test-model, output: text, baseUrl: "%s"}
                """.formatted(llm.url("/v1")), Map.of("shaky.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: shaky}
                spec:
                  pipeline:
                    stages:
                      - {name: flaky, agent: flaky, retry: {maxAttempts: 2, backoff: fixed, initialDelay: 10ms}}
                      - {name: words, agent: writer, dependsOn: [flaky]}
                      - {name: doomed, agent: broken, dependsOn: [words]}
                """, "waiting.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: waiting}
                spec:
                  pipeline:
                    stages:
                      - {name: gate, approval: {approvers: [alice]}}
                """));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
        if (llm != null) llm.close();
    }

    /** Every PromQL query of the dashboard: panel targets and template variables. */
    static List<String> queries(JsonNode dashboard) {
        List<String> out = new ArrayList<>();
        dashboard.findValues("expr").forEach(e -> out.add(e.asText()));
        for (JsonNode v : dashboard.path("templating").path("list")) {
            out.add(
                    v.path("query").isObject()
                            ? v.path("query").path("query").asText()
                            : v.path("query").asText());
        }
        return out;
    }

    @Test
    void everyMetricTheDashboardQueriesIsExportedAfterARun() throws Exception {
        JsonNode dashboard = Json.parse(Files.readString(DASHBOARD));
        List<String> queries = queries(dashboard);
        assertThat(queries).hasSizeGreaterThan(10);
        Set<String> wanted = new TreeSet<>();
        for (String q : queries) {
            Matcher m = METRIC.matcher(q);
            int before = wanted.size();
            boolean any = false;
            while (m.find()) {
                wanted.add(m.group(1));
                any = true;
            }
            assertThat(any)
                    .as("query names no Baton metric: %s (%d names so far)", q, before)
                    .isTrue();
        }

        String id = baton.startRun("shaky", "{}");
        assertThat(baton.awaitRun(id, Duration.ofSeconds(60)).path("status").asText())
                .isEqualTo("FAILED");
        baton.startRun("waiting", "{}"); // the in-flight gauges have series only while something is in flight
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Set<String> exported = new TreeSet<>();
            for (String line : baton.getText("/api/metrics").split("\n")) {
                Matcher m = SAMPLE_NAME.matcher(line);
                if (!line.startsWith("#") && m.find()) exported.add(m.group(1));
            }
            assertThat(exported).containsAll(wanted);
        });
    }

    @Test
    void theDashboardFiltersByPipelineWithAVariableFedByBatonsOwnSeries() throws Exception {
        JsonNode dashboard = Json.parse(Files.readString(DASHBOARD));

        assertThat(dashboard.path("uid").asText()).isEqualTo("baton");
        assertThat(dashboard.path("templating").path("list").get(0).path("name").asText())
                .isEqualTo("pipeline");
        assertThat(queries(dashboard))
                .filteredOn(q -> q.contains("baton_ticket_")
                        || q.contains("baton_stage_")
                        || q.contains("baton_tokens")
                        || q.contains("baton_cost"))
                .allMatch(q -> q.contains("$pipeline"));
    }
}
