package dev.baton.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.ScriptedAgent;
import dev.baton.TestBaton;
import dev.baton.pipeline.Json;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run's spans come from whichever process ends what they describe: the first Baton runs stage 1 and dispatches
 * stage 2's ticket, then stops; the second applies the agent's reply. Both emit into one trace whose parents meet,
 * and the {@code traceparent} the first process put on the ticket names the span the second one emitted.
 */
class TracingRestartTest {
    @TempDir
    Path root;

    @Test
    void spansOfOneRunEmittedByTwoProcessesFormOneTrace() throws Exception {
        Files.createDirectories(root.resolve("config"));
        Files.writeString(root.resolve("config/application.properties"), """
                otel.traces.exporter = %s
                otel.bsp.schedule.delay = 50
                """.formatted(MemoryExporter.NAME));
        String runId;
        try (TestBaton first = TestBaton.start(root, """
                agents:
                  outside: {kind: external}
                  helper: {kind: demo}
                """, Map.of("relay.yaml", """
                        apiVersion: baton/v1
                        kind: Pipeline
                        metadata: {name: relay}
                        spec:
                          pipeline:
                            stages:
                              - {name: one, agent: helper}
                              - {name: two, agent: outside, dependsOn: [one]}
                        """))) {
            runId = first.startRun("relay", "{}");
            String id = runId;
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            first.query("SELECT status FROM ticket WHERE run_id = ? AND stage = 'two'", id).stream()
                                    .anyMatch(r -> "QUEUED".equals(r.get("status"))));
        }
        String traceId = runId.replace("-", "");
        SpanData one = await().atMost(Duration.ofSeconds(10)).until(() -> find(traceId, "stage one"), s -> s != null);

        try (TestBaton second = TestBaton.restart(root);
                ScriptedAgent outside =
                        ScriptedAgent.start(second, "outside", t -> ScriptedAgent.succeed(Json.parse("\"relayed\"")))) {
            assertThat(second.awaitRun(runId, Duration.ofSeconds(30))
                            .path("status")
                            .asText())
                    .isEqualTo("SUCCEEDED");
            SpanData run =
                    await().atMost(Duration.ofSeconds(10)).until(() -> find(traceId, "run relay"), s -> s != null);
            SpanData two = find(traceId, "stage two");
            SpanData ticket = find(traceId, "ticket two");

            assertThat(one.getParentSpanId()).isEqualTo(run.getSpanId());
            assertThat(two.getParentSpanId()).isEqualTo(run.getSpanId());
            assertThat(ticket.getParentSpanId()).isEqualTo(two.getSpanId());
            assertThat(find(traceId, "ticket one").getParentSpanId()).isEqualTo(one.getSpanId());
            JsonNode received = outside.tickets.get(0);
            assertThat(received.path("traceparent").asText())
                    .isEqualTo("00-" + traceId + "-" + ticket.getSpanId() + "-01");
        }
    }

    private static SpanData find(String traceId, String name) {
        List<SpanData> named = MemoryExporter.SPANS.getFinishedSpanItems().stream()
                .filter(s -> s.getTraceId().equals(traceId) && s.getName().equals(name))
                .toList();
        assertThat(named).as(name).hasSizeLessThanOrEqualTo(1);
        return named.isEmpty() ? null : named.get(0);
    }
}
