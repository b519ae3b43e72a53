package dev.baton;

import com.zaxxer.hikari.HikariDataSource;
import dev.baton.agent.AgentConfig;
import dev.baton.agent.AgentRegistry;
import dev.baton.agent.InProcessAgents;
import dev.baton.agent.LiveRegistry;
import dev.baton.agent.QueueLimits;
import dev.baton.api.AgentViews;
import dev.baton.api.ApiGuard;
import dev.baton.api.ApiRoutes;
import dev.baton.api.BatonHttpServer;
import dev.baton.api.Console;
import dev.baton.api.DeadLetters;
import dev.baton.api.EventStream;
import dev.baton.api.HttpFront;
import dev.baton.api.HttpListening;
import dev.baton.api.JmsSubmitRoutes;
import dev.baton.api.Metrics;
import dev.baton.api.PipelineCheck;
import dev.baton.api.RunService;
import dev.baton.api.auth.SecurityBootstrap;
import dev.baton.broker.EmbeddedBroker;
import dev.baton.broker.Messaging;
import dev.baton.compile.Endpoints;
import dev.baton.compile.PipelineCompiler;
import dev.baton.compile.PipelineRegistry;
import dev.baton.compile.RevisionRoutes;
import dev.baton.compile.RoutesFolder;
import dev.baton.config.BatonSettings;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.Pipeline;
import dev.baton.runtime.AgentHealth;
import dev.baton.runtime.AgentHealthRoutes;
import dev.baton.runtime.CelLanguage;
import dev.baton.runtime.EngineRoutes;
import dev.baton.runtime.EngineWiring;
import dev.baton.runtime.Faults;
import dev.baton.runtime.OutboxRelay;
import dev.baton.runtime.Retention;
import dev.baton.runtime.RetentionRoutes;
import dev.baton.runtime.RunEngine;
import dev.baton.runtime.RunMetrics;
import dev.baton.runtime.RunReplies;
import dev.baton.runtime.Scheduler;
import dev.baton.runtime.Webhooks;
import dev.baton.ticket.AgentStore;
import dev.baton.ticket.Database;
import dev.baton.ticket.EmbeddedPostgres;
import dev.baton.ticket.OutboxStore;
import dev.baton.ticket.ReplyStore;
import dev.baton.ticket.RetentionStore;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.StoreException;
import dev.baton.ticket.Tx;
import dev.baton.ticket.WebhookStore;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jms.connection.JmsTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/** Starts the whole stack in order (broker, database, Camel with the engine, API and routes/) and stops it. */
public final class BatonServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BatonServer.class);
    /** What Baton needs from Camel whatever application.properties says (it may say more). */
    private static final Map<String, String> CAMEL_DEFAULTS = Map.of(
            "camel.main.name", "baton",
            "camel.server.enabled", "true",
            "camel.server.max-body-size", "8388608",
            "camel.main.shutdown-timeout", "10");

    /** Consumers of baton.submit: a start is one short transaction, and submitters wait for the end, not the start. */
    private static final int SUBMIT_CONSUMERS = 2;

    /** This process as an agent instance (its demo agents): {@code <pid>@<host>}. */
    private static final String INSTANCE = ProcessHandle.current().pid() + "@" + host();

    private BatonSettings settings;
    private final LiveRegistry agents;
    /** Where agents' credentials come from: the process environment, or a test's map. */
    private final Function<String, String> env;

    private EmbeddedBroker broker;
    private HikariDataSource dataSource;
    private Messaging messaging;
    private EmbeddedPostgres postgres;
    private OutboxRelay relay;
    private EventStream events;
    private InProcessAgents inProcess;
    /** security.yaml as it says now; null when the API runs open. */
    private dev.baton.api.auth.LiveSecurity liveSecurity;

    private Main main;
    /** Set last: until then the API answers 503. */
    private volatile RunService runs;

    private PipelineRegistry pipelines;
    private RoutesFolder folder;
    private RevisionRoutes revisions;
    /** When the routes of revisions no run needs any more were last looked for. */
    private long retiredAt;

    private Scheduler scheduler;
    private RunStore store;
    private Tx tx;

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
        AgentConfig dflt = agents.current().defaultAgent();
        if (dflt != null) {
            LOG.warn(
                    "{} has a `default` of kind {}: every agent a pipeline names that is declared nowhere else "
                            + "runs as such an agent (each is named when its pipeline loads); remove `default` to make an "
                            + "undeclared agent a validation error",
                    settings.configDir().resolve("agents.yaml"),
                    dflt.kind().name().toLowerCase(java.util.Locale.ROOT));
        }
        BatonServer server = new BatonServer(settings, agents, env, aroundDb);
        try {
            server.startAll();
        } catch (Exception e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void startAll() throws Exception {
        long t0 = System.nanoTime();
        if (settings.broker().embedded()) {
            if (settings.broker().password().isBlank()) {
                // Nobody else needs Baton's password to an embedded broker: one per process, never written down.
                settings = settings.withBroker(settings.broker().withPassword(randomPassword()));
            }
            var b = settings.broker();
            broker = EmbeddedBroker.start(b, settings.dataDir());
            agents.current().names().forEach(broker::allowAgent);
        }
        if (settings.db().embedded()) {
            postgres =
                    EmbeddedPostgres.startIn(settings.dataDir(), settings.db().embeddedPort());
            settings =
                    settings.withDb(settings.db().on(postgres.jdbcUrl(), EmbeddedPostgres.USER, postgres.password()));
        }
        dataSource = Database.open(settings.db(), aroundDb);
        tx = new Tx(dataSource);
        Clock clock = new MicrosClock();
        store = new RunStore();
        OutboxStore outbox = new OutboxStore();
        pipelines = new PipelineRegistry(store, clock);
        Faults faults = new Faults(settings.fault());

        messaging = Messaging.to(settings.broker());
        var cf = messaging.consumers();
        QueueLimits queueLimits = new QueueLimits(cf);

        main = new Main();
        Map<String, String> camelProps = new LinkedHashMap<>(CAMEL_DEFAULTS);
        camelProps.putAll(settings.camelProperties());
        camelProps.forEach(main::addOverrideProperty);
        main.addOverrideProperty("camel.server.port", Integer.toString(settings.httpPort()));
        main.addOverrideProperty("camel.server.host", settings.httpHost());
        // Plain Camel routes in routes/ may use {{baton.data}}, e.g. for a file inbox per instance.
        main.addOverrideProperty("baton.data", settings.dataDir().toString());
        main.bind(Endpoints.JMS, messaging.consumerComponent());
        main.bind(Endpoints.JMS_OUT, messaging.relayComponent());
        main.bind(Endpoints.JMS_AGENT, messaging.agentComponent());
        liveSecurity = SecurityBootstrap.live(settings.security(), settings.dataDir());
        ApiGuard guard = new ApiGuard(liveSecurity == null ? null : liveSecurity.authenticator());
        // every request answers 503 until front.ready(), from the moment the port opens
        HttpFront front = new HttpFront();
        main.bind("batonHttpServer", BatonHttpServer.factory(front));
        main.bind(
                dev.baton.api.HealthParts.NAME, dev.baton.api.HealthParts.of(broker, dataSource, agents, liveSecurity));
        AgentHealth.Policy health = new AgentHealth.Policy(
                settings.heartbeatInterval(), 3, settings.limits().maxInstances());
        main.configure()
                .addRoutesBuilder(new ApiRoutes(
                        () -> runs,
                        new DeadLetters(cf),
                        settings.apiMaxBodyBytes(),
                        new PipelineCheck(agents, settings.limits().maxStages()),
                        new AgentViews(agents, pipelines, tx, health, cf, clock)));
        main.start();
        CamelContext camel = main.getCamelContext();
        HttpListening.require(camel, settings.httpHost(), settings.httpPort());
        guard.install(camel);
        events = new EventStream(cf);
        events.install(ApiGuard.router(camel));
        Console.install(ApiGuard.router(camel));

        var relayTransactions = new TransactionTemplate(new JmsTransactionManager(messaging.relay()));
        // Its own transaction even if a caller's thread had one on the same connections: committed when send returns.
        relayTransactions.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        relay = new OutboxRelay(
                camel.createProducerTemplate(),
                tx,
                outbox,
                faults,
                clock,
                sends -> relayTransactions.executeWithoutResult(status -> sends.run()));
        Webhooks webhooks = new Webhooks(tx, new WebhookStore(), outbox, settings.webhooks(), clock);
        PrometheusMeterRegistry registry = meterRegistry();
        // Camel's standard timers for every route added from here on: each stage's compiled routes among them.
        camel.getRegistry()
                .bind(org.apache.camel.component.micrometer.MicrometerConstants.METRICS_REGISTRY_NAME, registry);
        camel.addRoutePolicyFactory(
                new org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyFactory());
        RunReplies replies =
                new RunReplies(new ReplyStore(), outbox, (c, runId) -> RunService.view(c, store, pipelines, runId));
        EngineWiring wiring = new EngineWiring(new EngineWiring.Inputs(
                tx,
                store,
                outbox,
                pipelines,
                webhooks,
                clock,
                new RunEngine.Reporting(new RunMetrics(registry), replies),
                faults,
                new EngineWiring.Agents(
                        agent -> agents.current()
                                .find(agent)
                                .map(AgentConfig::priority)
                                .orElse(null),
                        agents,
                        health),
                settings.limits().maxForEachItems(),
                (agent, declared) -> agents.current().price(agent, declared)));
        PipelineCompiler compiler = new PipelineCompiler(this::startFromRoute, wiring.processors());
        camel.getRegistry().bind(Endpoints.CEL, new CelLanguage());
        revisions = new RevisionRoutes(camel, compiler, clock);
        RunEngine engine = wiring.engine(camel.createProducerTemplate(), revisions::ensure);
        scheduler =
                new Scheduler(tx, pipelines, engine, relay, new Scheduler.Misfire(clock, settings.misfireThreshold()));
        inProcess = new InProcessAgents(
                camel,
                agents,
                queueLimits,
                name -> {
                    if (broker != null) broker.allowAgent(name);
                },
                new InProcessAgents.Setup(settings.heartbeatInterval(), INSTANCE, env));
        folder = new RoutesFolder(
                settings.routesDir(),
                pipelines,
                agents,
                camel,
                new RoutesFolder.Listener() {
                    @Override
                    public void loaded(Pipeline p) throws Exception {
                        try {
                            tx.run(c -> {
                                pipelines.remember(c, p);
                                return null;
                            });
                        } catch (StoreException e) {
                            if (!e.uniqueViolation()) throw e; // another instance stored the same revision first
                        }
                        scheduler.loaded(p);
                        revisions.ensure(p);
                        removeRoute(camel, Endpoints.pipelineTriggerRoute(p.name()));
                        camel.addRoutes(compiler.trigger(p));
                        inProcess.serve(p);
                    }

                    @Override
                    public void unloaded(String pipeline) throws Exception {
                        scheduler.unloaded(pipeline);
                        removeRoute(camel, Endpoints.pipelineTriggerRoute(pipeline));
                    }
                },
                settings.limits().maxStages());
        folder.scan();
        servePinned();
        scheduler.forgetAllBut(pipelines.all());
        camel.addRoutes(new EngineRoutes(
                engine,
                scheduler,
                webhooks,
                relay,
                faults,
                new EngineRoutes.Options(
                        settings.resultConsumers(),
                        settings.broker().user(),
                        settings.limits().maxOutputBytes())));
        camel.addRoutes(new AgentHealthRoutes(
                new AgentHealth(tx, new AgentStore(), store, outbox, health, clock),
                relay,
                settings.broker().user(),
                registry,
                dev.baton.runtime.LocalProcesses.current(INSTANCE)));
        if (settings.retention().enabled()) {
            camel.addRoutes(new RetentionRoutes(
                    new Retention(tx, new RetentionStore(), Retention.BATCH),
                    settings.retention().finishedRuns(),
                    settings.retention().interval(),
                    clock));
        }
        scheduler.start(pipelines.all());
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("timer:" + Endpoints.ROUTE_ROUTES_WATCH + "?period=" + settings.scanIntervalMillis())
                        .routeId(Endpoints.ROUTE_ROUTES_WATCH)
                        .process(ex -> watch());
            }
        });
        RunService service =
                new RunService(pipelines, folder, engine, relay, tx, store, scheduler, new Metrics(registry, tx, cf));
        camel.addRoutes(new JmsSubmitRoutes(service, SUBMIT_CONSUMERS));
        runs = service;
        front.ready();
        var bs = settings.broker();
        LOG.info(
                "Baton is up in {} ms: http://{}:{}/api, web console http://{}:{}/, broker {}, database {}, "
                        + "routes from {}",
                (System.nanoTime() - t0) / 1_000_000,
                settings.httpHost(),
                settings.httpPort(),
                settings.httpHost(),
                settings.httpPort(),
                bs.embedded() ? "embedded (tcp port " + bs.port() + ")" : bs.url(),
                settings.db().url(),
                settings.routesDir());
    }

    /** Baton's own meters, and the JVM's and the process's that every Prometheus dashboard expects. */
    private static PrometheusMeterRegistry meterRegistry() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return registry;
    }

    /** Runs in flight finish on their pinned revision even when its file is gone: their in-process agents must run. */
    private void servePinned() throws Exception {
        for (String[] pr : tx.run(store::activeRevisions)) {
            Pipeline p;
            try {
                p = tx.run(c -> pipelines.pinned(c, pr[0], pr[1]));
                revisions.ensure(p);
            } catch (IllegalStateException e) {
                // its runs fail, naming the revision, on their next event
                LOG.error(
                        "revision {} of pipeline '{}' has unfinished runs but can no longer be compiled: {}",
                        pr[1].substring(0, 12),
                        pr[0],
                        e.getMessage());
                continue;
            }
            inProcess.serve(p);
        }
    }

    /**
     * One tick of the watch on {@code config/}, then {@code routes/}: a registry that changed and loads is put in
     * force, in-process agents it changed or removed are stopped, every pipeline file is validated again against it
     * (one that no longer validates keeps its previous version serving, as after a broken edit), and the agents of
     * the loaded pipelines are served as it says.
     */
    private void watch() throws Exception {
        if (liveSecurity != null) liveSecurity.reload();
        AgentRegistry before = agents.current();
        AgentRegistry after = agents.reload();
        if (after != null) {
            if (broker != null) after.names().forEach(broker::allowAgent);
            inProcess.registryChanged(before, after);
            folder.revalidate();
        }
        folder.scan();
        if (after != null) {
            for (Pipeline p : pipelines.all()) inProcess.serve(p);
            servePinned();
        }
        if (System.nanoTime() - retiredAt > RETIRE_EVERY_NANOS) {
            retiredAt = System.nanoTime();
            for (String retired : retireRevisions(RevisionRoutes.IDLE)) {
                LOG.info("removed the routes of {}: no unfinished run is pinned to it", retired);
            }
        }
    }

    private static final long RETIRE_EVERY_NANOS =
            java.time.Duration.ofSeconds(30).toNanos();

    /**
     * Removes the compiled routes of revisions that are neither current nor pinned by an unfinished run, and unused
     * for {@code idle}; returns them as {@code pipeline@revision}.
     */
    public java.util.List<String> retireRevisions(java.time.Duration idle) throws Exception {
        java.util.Set<String> keep = new java.util.HashSet<>();
        pipelines.all().forEach(p -> keep.add(RevisionRoutes.key(p.name(), p.revision())));
        for (String[] pr : tx.run(store::activeRevisions)) {
            keep.add(RevisionRoutes.key(pr[0], pr[1]));
        }
        return revisions.retire(keep, idle);
    }

    /** A compiled trigger route was called; a route that fires while Baton is still starting fails and retries. */
    private String startFromRoute(String pipeline, String params, String idempotencyKey) {
        RunService service = runs;
        if (service == null) {
            throw new IllegalStateException("Baton is starting; run of '" + pipeline + "' not started");
        }
        return Json.write(service.start(pipeline, params, idempotencyKey).run());
    }

    private static void removeRoute(CamelContext camel, String routeId) throws Exception {
        if (camel.getRoute(routeId) != null) {
            camel.getRouteController().stopRoute(routeId);
            camel.removeRoute(routeId);
        }
    }

    /** A new connection factory to the broker with Baton's own login (for in-process tools such as the bench). */
    public ActiveMQConnectionFactory connectionFactory() {
        return messaging.newConnectionFactory();
    }

    /** The outbox relay (tests send through it as a transition does). */
    OutboxRelay relay() {
        return relay;
    }

    /** The live event streams of the web console. */
    public EventStream events() {
        return events;
    }

    /** The embedded broker; null when Baton uses an external one. */
    public EmbeddedBroker broker() {
        return broker;
    }

    public RunService runs() {
        return runs;
    }

    public PipelineRegistry pipelines() {
        return pipelines;
    }

    public BatonSettings settings() {
        return settings;
    }

    public CamelContext camel() {
        return main.getCamelContext();
    }

    public javax.sql.DataSource dataSource() {
        return dataSource;
    }

    /**
     * Stops, after one line saying what was in flight: those runs go on when Baton starts again, since their state is
     * in the database and the broker.
     */
    public void stop() {
        String inFlight;
        try {
            var n = new Tx(dataSource).run(c -> new RunStore().inFlight(c));
            inFlight = n.runs() + " run(s) in flight, " + n.tickets() + " ticket(s) queued or with agents";
        } catch (RuntimeException e) {
            inFlight = "what was in flight is unknown (" + e.getMessage() + ")";
        }
        LOG.info("stopping: {}; they go on when Baton starts again", inFlight);
        close();
        LOG.info("stopped");
    }

    @Override
    public void close() {
        if (events != null) events.close();
        try {
            if (main != null) main.stop();
        } catch (Exception e) {
            LOG.warn("stopping Camel: {}", e.getMessage());
        }
        if (inProcess != null) inProcess.close();
        if (messaging != null) messaging.close();
        if (dataSource != null) dataSource.close();
        if (postgres != null) postgres.close();
        try {
            if (broker != null) broker.close();
        } catch (Exception e) {
            LOG.warn("stopping the broker: {}", e.getMessage());
        }
    }

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    private static String randomPassword() {
        byte[] bytes = new byte[24];
        new java.security.SecureRandom().nextBytes(bytes);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
