package dev.baton;

import dev.baton.agent.InProcessAgents;
import dev.baton.agent.LiveRegistry;
import dev.baton.agent.QueueLimits;
import dev.baton.api.AgentViews;
import dev.baton.api.ApiRoutes;
import dev.baton.api.DeadLetters;
import dev.baton.api.EventStream;
import dev.baton.api.HealthParts;
import dev.baton.api.JmsSubmitRoutes;
import dev.baton.api.Metrics;
import dev.baton.api.PipelineCheck;
import dev.baton.api.RunService;
import dev.baton.api.auth.LiveSecurity;
import dev.baton.api.auth.SecurityBootstrap;
import dev.baton.broker.EmbeddedBroker;
import dev.baton.broker.Messaging;
import dev.baton.compile.PipelineRegistry;
import dev.baton.config.BatonSettings;
import dev.baton.pipeline.Json;
import dev.baton.runtime.EngineRoutes;
import dev.baton.runtime.OutboxRelay;
import dev.baton.runtime.ResultRoutes;
import dev.baton.ticket.Tx;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import javax.sql.DataSource;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the whole stack in order (broker, database, Camel with the API, the engine, the pipelines of routes/, the
 * sweeps, then the API opens) and stops it; each step is a part of its own.
 */
public final class BatonServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BatonServer.class);

    /** Consumers of baton.submit: a start is one short transaction, and submitters wait for the end, not the start. */
    private static final int SUBMIT_CONSUMERS = 2;

    /** This process as an agent instance (its demo agents): {@code <pid>@<host>}. */
    private static final String INSTANCE = ProcessHandle.current().pid() + "@" + host();

    private BatonSettings settings;
    private final LiveRegistry agents;
    /** Where agents' credentials come from: the process environment, or a test's map. */
    private final Function<String, String> env;

    private Foundation foundation;
    private Messaging messaging;
    private HttpSide http;
    private Main main;
    private Core core;
    private EngineParts engine;
    private InProcessAgents inProcess;
    private PipelineServing serving;
    /** Spans of runs, stages and ticket attempts; off unless an otel.* setting turns it on. */
    private dev.baton.tracing.Tracing tracing = dev.baton.tracing.Tracing.off();
    /** Set last: until then the API answers 503. */
    private volatile RunService runs;

    /** What Baton's database connections are made through: the bench's statement counter, or null (straight). */
    private final java.util.function.UnaryOperator<javax.sql.DataSource> aroundDb;

    private BatonServer(
            BatonSettings settings,
            LiveRegistry agents,
            Function<String, String> env,
            java.util.function.UnaryOperator<javax.sql.DataSource> aroundDb) {
        this.settings = settings;
        this.agents = agents;
        this.env = env;
        this.aroundDb = aroundDb;
    }

    public static BatonServer start(BatonSettings settings) throws Exception {
        return start(settings, System::getenv);
    }

    /** Starts Baton; {@code env} gives the environment variables agents take credentials from. */
    public static BatonServer start(BatonSettings settings, Function<String, String> env) throws Exception {
        return start(settings, env, null);
    }

    /**
     * Starts Baton with every database connection made through {@code aroundDb} ({@code baton bench} counts the
     * statements so), or straight when it is null.
     */
    public static BatonServer start(
            BatonSettings settings,
            Function<String, String> env,
            java.util.function.UnaryOperator<javax.sql.DataSource> aroundDb)
            throws Exception {
        LiveRegistry agents = LiveRegistry.load(settings.configDir().resolve("agents.yaml"));
        LifecycleLog.defaultAgent(settings, agents.current().defaultAgent());
        BatonServer server = new BatonServer(settings, agents, env, aroundDb);
        try {
            server.startAll();
        } catch (Exception e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** What starts after what: each line needs what the lines above it started. */
    private void startAll() throws Exception {
        long t0 = System.nanoTime();
        // First: a wrong otel.* setting stops the start before anything listens.
        tracing = dev.baton.tracing.Tracing.configure(settings.configDir(), System.getenv());
        foundation = Foundation.start(settings, agents, aroundDb);
        settings = foundation.settings();
        core = Core.over(settings, agents, new Tx(foundation.dataSource()), tracing);
        messaging = Messaging.to(settings.broker());
        var cf = messaging.consumers();

        main = CamelSetup.create(settings, messaging);
        LiveSecurity security = SecurityBootstrap.live(settings.security(), settings.dataDir());
        http = new HttpSide(security);
        main.bind(HealthParts.NAME, HealthParts.of(foundation.broker(), foundation.dataSource(), agents, security));
        http.bind(
                main,
                new ApiRoutes(
                        () -> runs,
                        new DeadLetters(cf),
                        settings.apiMaxBodyBytes(),
                        new PipelineCheck(agents, settings.limits().maxStages()),
                        new AgentViews(agents, core.pipelines(), core.tx(), core.health(), cf, core.clock())));
        main.start();
        CamelContext camel = main.getCamelContext();
        http.open(camel, settings.httpHost(), settings.httpPort(), cf);

        PrometheusMeterRegistry meters = Meters.installIn(camel);
        engine = EngineParts.assemble(core, camel, messaging, meters, this::startFromRoute);
        inProcess = new InProcessAgents(
                camel,
                agents,
                new QueueLimits(cf),
                foundation::allowAgent,
                new InProcessAgents.Setup(settings.heartbeatInterval(), INSTANCE, env));
        serving = new PipelineServing(core, camel, engine, inProcess);
        serving.loadAll();
        var engineOptions = new EngineRoutes.Options(
                settings.resultConsumers(),
                settings.broker().user(),
                settings.limits().maxOutputBytes());
        camel.addRoutes(new ResultRoutes(engine.engine(), engine.relay(), core.faults(), engineOptions));
        camel.addRoutes(new EngineRoutes(
                engine.engine(), engine.scheduler(), engine.webhooks(), engine.relay(), core.faults(), engineOptions));
        Sweeps.install(camel, core, engine.relay(), meters, INSTANCE);
        engine.scheduler().start(core.pipelines().all());
        new ConfigWatch(core, foundation, inProcess, serving, security).install(camel);

        RunService service = new RunService(
                core.pipelines(),
                serving.folder(),
                engine.engine(),
                engine.relay(),
                core.tx(),
                core.store(),
                engine.scheduler(),
                new Metrics(meters, core.tx(), cf));
        camel.addRoutes(new JmsSubmitRoutes(service, SUBMIT_CONSUMERS));
        runs = service;
        http.ready();
        LifecycleLog.up(settings, t0);
    }

    /**
     * Removes the compiled routes of revisions that are neither current nor pinned by an unfinished run, and unused
     * for {@code idle}; returns them as {@code pipeline@revision}.
     */
    public List<String> retireRevisions(Duration idle) throws Exception {
        return serving.retireRevisions(idle);
    }

    /** A compiled trigger route was called; a route that fires while Baton is still starting fails and retries. */
    private String startFromRoute(String pipeline, String params, String idempotencyKey) {
        RunService service = runs;
        if (service == null) {
            throw new IllegalStateException("Baton is starting; run of '" + pipeline + "' not started");
        }
        return Json.write(service.start(pipeline, params, idempotencyKey).run());
    }

    /** A new connection factory to the broker with Baton's own login (for in-process tools such as the bench). */
    public ActiveMQConnectionFactory connectionFactory() {
        return messaging.newConnectionFactory();
    }

    /** The outbox relay (tests send through it as a transition does). */
    OutboxRelay relay() {
        return engine.relay();
    }

    /** The live event streams of the web console. */
    public EventStream events() {
        return http.events();
    }

    /** The embedded broker; null when Baton uses an external one. */
    public EmbeddedBroker broker() {
        return foundation.broker();
    }

    public RunService runs() {
        return runs;
    }

    public PipelineRegistry pipelines() {
        return core.pipelines();
    }

    public BatonSettings settings() {
        return settings;
    }

    public CamelContext camel() {
        return main.getCamelContext();
    }

    public DataSource dataSource() {
        return foundation.dataSource();
    }

    /**
     * Stops, after one line saying what was in flight: those runs go on when Baton starts again, since their state is
     * in the database and the broker.
     */
    public void stop() {
        LifecycleLog.stopping(foundation == null ? null : foundation.dataSource());
        close();
        LifecycleLog.stopped();
    }

    @Override
    public void close() {
        if (http != null) http.close();
        try {
            if (main != null) main.stop();
        } catch (Exception e) {
            LOG.warn("stopping Camel: {}", e.getMessage());
        }
        // Camel has stopped (a send it gave up waiting for may still queue ids: the next start's sweep re-sends those
        // rows and the broker drops the copies), and the pool is still open.
        if (engine != null) engine.relay().deleteSent();
        if (inProcess != null) inProcess.close();
        tracing.close(); // after Camel: the last transitions' spans are sent
        if (messaging != null) messaging.close();
        if (foundation != null) foundation.close();
    }

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }
}
