package dev.baton.tracing;

import dev.baton.config.SettingsException;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Emits a run's spans once what they describe has ended and been committed: a span per run, per stage execution and
 * per ticket attempt, each built in one go from the times the store kept, under the ids of {@link TraceIds}. Off
 * (the default) it builds nothing, sends nothing and gives tickets no {@code traceparent}.
 */
public final class Tracing implements AutoCloseable {
    static final AttributeKey<String> RUN_ID = AttributeKey.stringKey("baton.run.id");
    static final AttributeKey<String> PIPELINE = AttributeKey.stringKey("baton.pipeline");
    static final AttributeKey<String> REVISION = AttributeKey.stringKey("baton.pipeline.revision");
    static final AttributeKey<String> STATUS = AttributeKey.stringKey("baton.status");
    static final AttributeKey<String> STAGE = AttributeKey.stringKey("baton.stage");
    static final AttributeKey<Long> ITERATION = AttributeKey.longKey("baton.iteration");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("baton.outcome");
    static final AttributeKey<String> TICKET_ID = AttributeKey.stringKey("baton.ticket.id");
    static final AttributeKey<Long> ITEM = AttributeKey.longKey("baton.item");
    static final AttributeKey<String> AGENT = AttributeKey.stringKey("baton.agent");
    static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("baton.attempt");

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Tracing.class);
    private static final Tracing OFF = new Tracing(null, null);
    private static final List<String> FAILED_RUNS = List.of("FAILED", "COMPENSATED");
    private static final List<String> FAILED_OUTCOMES = List.of("failed", "timed_out");

    private final OpenTelemetrySdk sdk;
    private final Tracer tracer;
    private final FixedIds ids;

    private Tracing(OpenTelemetrySdk sdk, FixedIds ids) {
        this.sdk = sdk;
        this.ids = ids;
        this.tracer = sdk == null ? null : sdk.getTracer("dev.baton");
    }

    /** Tracing that does nothing. */
    public static Tracing off() {
        return OFF;
    }

    /**
     * Tracing as the {@code otel.*} settings say (see {@link TracingConfig}): off unless an OTLP endpoint or a traces
     * exporter is set.
     *
     * @throws SettingsException naming the setting, when one is wrong
     */
    public static Tracing configure(Path configDir, Map<String, String> env) {
        Map<String, String> props = new HashMap<>(TracingConfig.read(configDir, env));
        if (!TracingConfig.on(props)) {
            return OFF;
        }
        TracingConfig.validate(props);
        props.putIfAbsent("otel.service.name", "baton");
        props.putIfAbsent(TracingConfig.EXPORTER, "otlp");
        // The Java SDK's default is grpc, which needs a sender Baton does not ship; OTLP's own default is this one.
        props.putIfAbsent("otel.exporter.otlp.protocol", "http/protobuf");
        // Baton's metrics are Prometheus' (GET /api/metrics); this SDK is for spans only.
        props.putIfAbsent("otel.metrics.exporter", "none");
        props.putIfAbsent("otel.logs.exporter", "none");
        FixedIds ids = new FixedIds();
        try {
            OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                    .addPropertiesSupplier(() -> props)
                    .addTracerProviderCustomizer((b, config) -> b.setIdGenerator(ids))
                    // Every run: a stage's span is made in another transaction, maybe another process, than its
                    // run's, so a sampler deciding per span would cut traces apart.
                    .addPropertiesCustomizer(config -> Map.of("otel.traces.sampler", "always_on"))
                    .disableShutdownHook()
                    .build()
                    .getOpenTelemetrySdk();
            LOG.info(
                    "tracing on: spans of runs, stages and ticket attempts go to the '{}' exporter{}",
                    props.get(TracingConfig.EXPORTER),
                    props.containsKey(TracingConfig.TRACES_ENDPOINT) || props.containsKey(TracingConfig.ENDPOINT)
                            ? " at "
                                    + props.getOrDefault(
                                            TracingConfig.TRACES_ENDPOINT, props.get(TracingConfig.ENDPOINT))
                            : "");
            return new Tracing(sdk, ids);
        } catch (ConfigurationException e) {
            String why = e.getCause() == null ? e.getMessage() : e.getMessage() + ": " + e.getCause();
            SettingsException wrong = new SettingsException(List.of("tracing (otel.* settings): " + why));
            wrong.initCause(e);
            throw wrong;
        }
    }

    public boolean on() {
        return sdk != null;
    }

    /**
     * The W3C {@code traceparent} an agent's work on a ticket attempt joins the run's trace under (the attempt's
     * span is its parent), or null when tracing is off.
     */
    public String traceparent(String runId, String ticketId, int attempt) {
        return sdk == null ? null : TraceIds.traceparent(TraceIds.trace(runId), TraceIds.attempt(ticketId, attempt));
    }

    /** The span of a run that ended. */
    public void run(RunSpan r) {
        if (sdk == null) return;
        emit(
                r.runId(),
                null,
                TraceIds.run(r.runId()),
                "run " + r.pipeline(),
                SpanKind.INTERNAL,
                r.start(),
                r.end(),
                s -> {
                    s.setAttribute(RUN_ID, r.runId());
                    s.setAttribute(PIPELINE, r.pipeline());
                    s.setAttribute(REVISION, r.revision());
                    s.setAttribute(STATUS, r.status());
                    if (FAILED_RUNS.contains(r.status())) {
                        s.setStatus(StatusCode.ERROR, r.error() == null ? r.status() : r.error());
                    }
                });
    }

    /** The span of a stage execution that ended, a child of its run's. */
    public void stage(StageSpan st) {
        if (sdk == null) return;
        emit(
                st.runId(),
                TraceIds.run(st.runId()),
                TraceIds.stage(st.runId(), st.stage(), st.iteration(), st.start()),
                "stage " + st.stage(),
                SpanKind.INTERNAL,
                st.start(),
                st.end(),
                s -> {
                    s.setAttribute(RUN_ID, st.runId());
                    s.setAttribute(PIPELINE, st.pipeline());
                    s.setAttribute(STAGE, st.stage());
                    if (st.iteration() > 0) s.setAttribute(ITERATION, (long) st.iteration());
                    s.setAttribute(OUTCOME, st.outcome());
                    if (FAILED_OUTCOMES.contains(st.outcome())) {
                        s.setStatus(StatusCode.ERROR, st.error() == null ? st.outcome() : st.error());
                    }
                });
    }

    /** The span of a ticket attempt that ended, a child of its stage's; the agent's own spans are its children. */
    public void attempt(AttemptSpan a) {
        if (sdk == null) return;
        emit(
                a.runId(),
                TraceIds.attemptParent(a.runId(), a.stage(), a.iteration(), a.stageStartedAt()),
                TraceIds.attempt(a.ticketId(), a.attempt()),
                "ticket " + a.stage(),
                SpanKind.PRODUCER,
                a.start(),
                a.end(),
                s -> {
                    s.setAttribute(RUN_ID, a.runId());
                    s.setAttribute(PIPELINE, a.pipeline());
                    s.setAttribute(STAGE, a.stage());
                    if (a.iteration() > 0) s.setAttribute(ITERATION, (long) a.iteration());
                    s.setAttribute(TICKET_ID, a.ticketId());
                    if (a.item() >= 0) s.setAttribute(ITEM, (long) a.item());
                    s.setAttribute(AGENT, a.agent());
                    s.setAttribute(ATTEMPT, (long) a.attempt());
                    s.setAttribute(OUTCOME, a.outcome());
                    if (a.failure() != null) s.setStatus(StatusCode.ERROR, a.failure());
                });
    }

    private void emit(
            String runId,
            String parentSpanId,
            String spanId,
            String name,
            SpanKind kind,
            Instant start,
            Instant end,
            java.util.function.Consumer<Span> describe) {
        try {
            String traceId = TraceIds.trace(runId);
            SpanBuilder b = tracer.spanBuilder(name).setSpanKind(kind).setStartTimestamp(start);
            if (parentSpanId == null) {
                b.setNoParent();
            } else {
                SpanContext parent =
                        SpanContext.create(traceId, parentSpanId, TraceFlags.getSampled(), TraceState.getDefault());
                b.setParent(Context.root().with(Span.wrap(parent)));
            }
            Span span = ids.with(traceId, spanId, b::startSpan);
            describe.accept(span);
            span.end(end.isBefore(start) ? start : end); // clocks of several instances
        } catch (RuntimeException e) {
            // A span is worth less than the transition it describes, which has committed: say so and go on.
            LOG.warn("span '{}' of run {} not emitted: {}", name, runId, e.toString());
        }
    }

    /** Sends what is still buffered (up to 10 s) and stops the exporter. */
    @Override
    public void close() {
        if (sdk != null) {
            sdk.shutdown().join(10, TimeUnit.SECONDS);
        }
    }
}
