package dev.baton.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.ScriptedAgent;
import dev.baton.TestBaton;
import dev.baton.config.SettingsException;
import dev.baton.pipeline.Json;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spans on the real stack: a Baton whose {@code otel.*} settings name the SDK's in-memory exporter runs pipelines
 * with an external agent that fails once and a demo agent that always fails, and the spans that come out form one
 * trace per run (run, then stages, then ticket attempts), say how each ended, and are the ones agents were told of.
 */
class TracingTest {
    @TempDir
    static Path root;

    static TestBaton baton;
    static ScriptedAgent outside;

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(root.resolve("config"));
        Files.writeString(root.resolve("config/application.properties"), """
                otel.traces.exporter = %s
                otel.bsp.schedule.delay = 50
                otel.service.name = baton-under-test
                """.formatted(MemoryExporter.NAME));
        baton = TestBaton.start(root, """
                agents:
                  outside: {kind: external}
                  helper: {kind: demo}
                  broken: {kind: demo, fail: true}
                """, Map.of("traced.yaml", """
                        apiVersion: baton/v1
                        kind: Pipeline
                        metadata: {name: traced}
                        spec:
                          pipeline:
                            stages:
                              - name: work
                                agent: outside
                                retry: {maxAttempts: 2, initialDelay: 100ms}
                              - name: after
                                dependsOn: [work]
                                agent: helper
                        """, "doomed.yaml", """
                        apiVersion: baton/v1
                        kind: Pipeline
                        metadata: {name: doomed}
                        spec:
                          pipeline:
                            stages:
                              - name: try
                                agent: broken
                        """));
        // fails attempt 1 (retryable), succeeds attempt 2
        outside = ScriptedAgent.start(
                baton,
                "outside",
                t -> t.path("attempt").asInt() == 1
                        ? ScriptedAgent.fail("flaky", true)
                        : ScriptedAgent.succeed(Json.parse("\"done\"")));
    }

    @AfterAll
    static void stop() throws Exception {
        if (outside != null) outside.close();
        if (baton != null) baton.close();
    }

    @Test
    void aRunIsOneTraceOfItsStagesAndTicketAttemptsAndAgentsAreToldTheirAttemptsSpan() throws Exception {
        String runId = baton.startRun("traced", "{}");
        assertThat(baton.awaitRun(runId, Duration.ofSeconds(30)).path("status").asText())
                .isEqualTo("SUCCEEDED");
        List<SpanData> spans = spansOf(runId, 6); // run, 2 stages, 3 attempts

        String traceId = runId.replace("-", "");
        assertThat(spans).allSatisfy(s -> assertThat(s.getTraceId()).isEqualTo(traceId));
        SpanData run = only(spans, "run traced");
        assertThat(run.getParentSpanContext().isValid()).isFalse();
        assertThat(run.getAttributes().get(Tracing.STATUS)).isEqualTo("SUCCEEDED");
        assertThat(run.getAttributes().get(Tracing.RUN_ID)).isEqualTo(runId);
        assertThat(run.getResource().getAttribute(io.opentelemetry.api.common.AttributeKey.stringKey("service.name")))
                .isEqualTo("baton-under-test");

        SpanData work = only(spans, "stage work");
        SpanData after = only(spans, "stage after");
        for (SpanData stage : List.of(work, after)) {
            assertThat(stage.getParentSpanId()).isEqualTo(run.getSpanId());
            assertThat(stage.getAttributes().get(Tracing.OUTCOME)).isEqualTo("succeeded");
            assertThat(stage.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
            assertThat(stage.getStartEpochNanos()).isGreaterThanOrEqualTo(run.getStartEpochNanos());
            assertThat(stage.getEndEpochNanos()).isLessThanOrEqualTo(run.getEndEpochNanos());
        }

        List<SpanData> attempts = spans.stream()
                .filter(s -> s.getName().equals("ticket work"))
                .sorted(Comparator.comparing(s -> s.getAttributes().get(Tracing.ATTEMPT)))
                .toList();
        assertThat(attempts).hasSize(2);
        assertThat(attempts).allSatisfy(a -> {
            assertThat(a.getParentSpanId()).isEqualTo(work.getSpanId());
            assertThat(a.getKind()).isEqualTo(SpanKind.PRODUCER);
            assertThat(a.getAttributes().get(Tracing.AGENT)).isEqualTo("outside");
            assertThat(a.getStartEpochNanos()).isGreaterThanOrEqualTo(work.getStartEpochNanos());
            assertThat(a.getEndEpochNanos()).isLessThanOrEqualTo(work.getEndEpochNanos());
        });
        assertThat(attempts.get(0).getAttributes().get(Tracing.ATTEMPT)).isEqualTo(1L);
        assertThat(attempts.get(0).getAttributes().get(Tracing.OUTCOME)).isEqualTo("retried");
        assertThat(attempts.get(0).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(attempts.get(0).getStatus().getDescription()).startsWith("flaky; retrying in ");
        assertThat(attempts.get(1).getAttributes().get(Tracing.ATTEMPT)).isEqualTo(2L);
        assertThat(attempts.get(1).getAttributes().get(Tracing.OUTCOME)).isEqualTo("succeeded");
        assertThat(attempts.get(1).getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(attempts.get(0).getAttributes().get(Tracing.TICKET_ID))
                .isEqualTo(attempts.get(1).getAttributes().get(Tracing.TICKET_ID));
        assertThat(only(spans, "ticket after").getParentSpanId()).isEqualTo(after.getSpanId());

        // what the agent was sent names the span of the very attempt it received
        List<JsonNode> received = outside.tickets.stream()
                .filter(t -> t.path("runId").asText().equals(runId))
                .toList();
        assertThat(received).hasSize(2);
        for (JsonNode t : received) {
            SpanData attempt = attempts.get(t.path("attempt").asInt() - 1);
            assertThat(t.path("traceparent").asText()).isEqualTo("00-" + traceId + "-" + attempt.getSpanId() + "-01");
        }
    }

    @Test
    void aFailedRunAndItsFailedStageAndAttemptAreErrors() throws Exception {
        String runId = baton.startRun("doomed", "{}");
        assertThat(baton.awaitRun(runId, Duration.ofSeconds(30)).path("status").asText())
                .isEqualTo("FAILED");
        List<SpanData> spans = spansOf(runId, 3);

        SpanData run = only(spans, "run doomed");
        SpanData stage = only(spans, "stage try");
        SpanData attempt = only(spans, "ticket try");
        assertThat(run.getAttributes().get(Tracing.STATUS)).isEqualTo("FAILED");
        assertThat(run.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(stage.getAttributes().get(Tracing.OUTCOME)).isEqualTo("failed");
        assertThat(stage.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(stage.getStatus().getDescription()).isNotBlank();
        assertThat(attempt.getAttributes().get(Tracing.OUTCOME)).isEqualTo("failed");
        assertThat(attempt.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(attempt.getStatus().getDescription()).isEqualTo("agent broken always fails");
        assertThat(attempt.getParentSpanId()).isEqualTo(stage.getSpanId());
        assertThat(stage.getParentSpanId()).isEqualTo(run.getSpanId());
    }

    @Test
    void tracingIsOffUnlessAnEndpointOrExporterIsSet(@TempDir Path config) throws Exception {
        assertThat(Tracing.configure(config, Map.of())).isSameAs(Tracing.off());
        assertThat(Tracing.off().on()).isFalse();
        assertThat(Tracing.off().traceparent("r", "t", 1)).isNull();
        Files.writeString(config.resolve("application.properties"), "otel.exporter.otlp.endpoint =\n");
        assertThat(Tracing.configure(config, Map.of("OTEL_SERVICE_NAME", "x"))).isSameAs(Tracing.off());
        assertThat(Tracing.configure(
                        config,
                        Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318", "OTEL_SDK_DISABLED", "true")))
                .isSameAs(Tracing.off());

        try (Tracing on = Tracing.configure(config, Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"))) {
            assertThat(on.on()).isTrue();
            assertThat(on.traceparent("0af76519-16cd-43dd-8448-eb211c80319c", "t-1", 2))
                    .isEqualTo("00-0af7651916cd43dd8448eb211c80319c-" + TraceIds.attempt("t-1", 2) + "-01");
        }
    }

    @Test
    void spansGoOverOtlpHttpToTheConfiguredEndpoint(@TempDir Path config) throws Exception {
        var bodies = new java.util.concurrent.CopyOnWriteArrayList<byte[]>();
        var paths = new java.util.concurrent.CopyOnWriteArrayList<String>();
        var collector = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        collector.createContext("/", exchange -> {
            paths.add(
                    exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " "
                            + exchange.getRequestHeaders().getFirst("Content-Type"));
            bodies.add(exchange.getRequestBody().readAllBytes());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        String runId = "0af76519-16cd-43dd-8448-eb211c80319c";
        try (Tracing on = Tracing.configure(
                config,
                Map.of(
                        "OTEL_EXPORTER_OTLP_ENDPOINT",
                        "http://127.0.0.1:" + collector.getAddress().getPort()))) {
            java.time.Instant t0 = java.time.Instant.parse("2026-12-07T01:00:00Z");
            on.run(new RunSpan(runId, "p", "abc", "SUCCEEDED", null, t0, t0.plusSeconds(3)));
        } finally {
            collector.stop(0);
        }

        assertThat(paths).containsExactly("POST /v1/traces application/x-protobuf");
        // the protobuf carries the trace id as its 16 raw bytes
        byte[] traceId = java.util.HexFormat.of().parseHex(runId.replace("-", ""));
        assertThat(indexOf(bodies.get(0), traceId)).isNotNegative();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }

    @Test
    void aWrongEndpointOrProtocolIsRefusedNamingTheSetting(@TempDir Path config) throws Exception {
        assertThatThrownBy(() -> Tracing.configure(config, Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4318")))
                .isInstanceOf(SettingsException.class)
                .hasMessage("otel.exporter.otlp.endpoint 'localhost:4318' is not an http:// or https:// URL; give "
                        + "the collector's OTLP/HTTP address, e.g. http://127.0.0.1:4318");
        assertThatThrownBy(() -> Tracing.configure(
                        config,
                        Map.of(
                                "OTEL_EXPORTER_OTLP_ENDPOINT",
                                "http://127.0.0.1:4317",
                                "OTEL_EXPORTER_OTLP_PROTOCOL",
                                "grpc")))
                .isInstanceOf(SettingsException.class)
                .hasMessage("otel.exporter.otlp.protocol 'grpc' is not available; Baton sends spans over "
                        + "http/protobuf (the OTLP default, port 4318)");
        assertThatThrownBy(() -> Tracing.configure(config, Map.of("OTEL_TRACES_EXPORTER", "nonesuch")))
                .isInstanceOf(SettingsException.class)
                .hasMessageStartingWith("tracing (otel.* settings): ")
                .hasMessageContaining("nonesuch");
    }

    @Test
    void aBatonWithAWrongEndpointDoesNotStart(@TempDir Path other) throws Exception {
        Files.createDirectories(other.resolve("config"));
        Files.writeString(
                other.resolve("config/application.properties"),
                "otel.exporter.otlp.traces.endpoint = collector:4318\n");
        assertThatThrownBy(() -> TestBaton.start(other, "agents: {}\n", Map.of()))
                .isInstanceOf(SettingsException.class)
                .hasMessageStartingWith("otel.exporter.otlp.traces.endpoint 'collector:4318' is not an http://");
    }

    /** The run's spans, once the batch processor has sent at least {@code n} of them. */
    private static List<SpanData> spansOf(String runId, int n) {
        String traceId = runId.replace("-", "");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> MemoryExporter.SPANS.getFinishedSpanItems().stream()
                                .filter(s -> s.getTraceId().equals(traceId))
                                .count()
                        >= n);
        List<SpanData> spans = MemoryExporter.SPANS.getFinishedSpanItems().stream()
                .filter(s -> s.getTraceId().equals(traceId))
                .toList();
        assertThat(spans).hasSize(n);
        return spans;
    }

    private static SpanData only(List<SpanData> spans, String name) {
        List<SpanData> named =
                spans.stream().filter(s -> s.getName().equals(name)).toList();
        assertThat(named).as(name).hasSize(1);
        return named.get(0);
    }
}
