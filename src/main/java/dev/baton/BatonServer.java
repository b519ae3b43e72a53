package dev.baton;

import com.zaxxer.hikari.HikariDataSource;
import dev.baton.agent.AgentConfig;
import dev.baton.agent.AgentKind;
import dev.baton.agent.AgentRegistry;
import dev.baton.agent.DemoAgentRoutes;
import dev.baton.api.ApiGuard;
import dev.baton.api.ApiRoutes;
import dev.baton.api.PipelineCheck;
import dev.baton.api.auth.Authenticator;
import dev.baton.api.auth.InitialAdminKey;
import dev.baton.api.auth.SecurityConfig;
import dev.baton.api.DeadLetters;
import dev.baton.api.RunService;
import dev.baton.broker.EmbeddedBroker;
import dev.baton.compile.Endpoints;
import dev.baton.compile.PipelineCompiler;
import dev.baton.compile.PipelineRegistry;
import dev.baton.compile.RoutesFolder;
import dev.baton.config.BatonSettings;
import dev.baton.pipeline.AgentStage;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.Pipeline;
import dev.baton.runtime.EngineRoutes;
import dev.baton.runtime.Faults;
import dev.baton.runtime.OutboxRelay;
import dev.baton.runtime.RunEngine;
import dev.baton.runtime.Scheduler;
import dev.baton.runtime.Webhooks;
import dev.baton.ticket.Database;
import dev.baton.ticket.OutboxStore;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.StoreException;
import dev.baton.ticket.Tx;
import dev.baton.ticket.WebhookStore;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jms.connection.CachingConnectionFactory;

/** Starts the whole stack in order (broker, database, Camel with the engine, API and routes/) and stops it. */
public final class BatonServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BatonServer.class);
    /** What Baton needs from Camel whatever application.properties says (it may say more). */
    private static final Map<String, String> CAMEL_DEFAULTS = Map.of(
            "camel.main.name", "baton",
            "camel.server.enabled", "true",
            "camel.server.max-body-size", "8388608",
            "camel.main.shutdown-timeout", "10");

    private final BatonSettings settings;
    private final AgentRegistry agents;
    private EmbeddedBroker broker;
    private HikariDataSource dataSource;
    private CachingConnectionFactory relayConnections;
    private ActiveMQConnectionFactory consumerConnections;
    private Main main;
    /** Set last: until then the API answers 503. */
    private volatile RunService runs;
    private PipelineRegistry pipelines;
    private RoutesFolder folder;
    private Scheduler scheduler;
    private final Set<String> demoAgentsStarted = new LinkedHashSet<>();

    private BatonServer(BatonSettings settings, AgentRegistry agents) {
        this.settings = settings;
        this.agents = agents;
    }

    public static BatonServer start(BatonSettings settings) throws Exception {
        AgentRegistry agents = AgentRegistry.load(settings.configDir().resolve("agents.yaml"));
        BatonServer server = new BatonServer(settings, agents);
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
            broker = EmbeddedBroker.start(settings.broker().brokerXml(), settings.dataDir(), settings.broker().port());
        }
        dataSource = Database.open(settings.db());
        Tx tx = new Tx(dataSource);
        // Microseconds, what H2 and PostgreSQL keep: an event published from memory then says the same time as the
        // history row it is read back from.
        Clock clock = new MicrosClock();
        RunStore store = new RunStore();
        OutboxStore outbox = new OutboxStore();
        pipelines = new PipelineRegistry(store, clock);
        Faults faults = new Faults(settings.fault());

        var bs = settings.broker();
        var cf = new ActiveMQConnectionFactory(bs.connectUrl(), blankToNull(bs.user()), blankToNull(bs.password()));
        consumerConnections = cf;
        relayConnections = new CachingConnectionFactory(
                new ActiveMQConnectionFactory(bs.connectUrl(), blankToNull(bs.user()), blankToNull(bs.password())));
        relayConnections.setSessionCacheSize(32);

        main = new Main();
        Map<String, String> camelProps = new LinkedHashMap<>(CAMEL_DEFAULTS);
        camelProps.putAll(settings.camelProperties());
        camelProps.forEach(main::addOverrideProperty);
        main.addOverrideProperty("camel.server.port", Integer.toString(settings.httpPort()));
        main.addOverrideProperty("camel.server.host", settings.httpHost());
        // Plain Camel routes in routes/ may use {{baton.data}}, e.g. for a file inbox per instance.
        main.addOverrideProperty("baton.data", settings.dataDir().toString());
        JmsComponent jms = JmsComponent.jmsComponent(cf);
        JmsComponent jmsOut = JmsComponent.jmsComponent(relayConnections);
        // A sender's Camel* properties never reach a route (reply consumers use the out component).
        jms.setHeaderFilterStrategy(new InboundHeaderFilter());
        jmsOut.setHeaderFilterStrategy(new InboundHeaderFilter());
        main.bind(Endpoints.JMS, jms);
        main.bind(Endpoints.JMS_OUT, jmsOut);
        ApiGuard guard = new ApiGuard(authenticator());
        main.configure().addRoutesBuilder(new ApiRoutes(() -> runs, new DeadLetters(cf), settings.apiMaxBodyBytes(),
                new PipelineCheck(agents)));
        main.start();
        CamelContext camel = main.getCamelContext();
        guard.install(camel);

        OutboxRelay relay = new OutboxRelay(camel.createProducerTemplate(), tx, outbox, faults, clock);
        Webhooks webhooks = new Webhooks(tx, new WebhookStore(), outbox, settings.webhooks(), clock);
        RunEngine engine = new RunEngine(tx, store, outbox, pipelines, webhooks, clock);
        scheduler = new Scheduler(tx, pipelines, engine, relay,
                new Scheduler.Misfire(clock, settings.misfireThreshold()));
        PipelineCompiler compiler = new PipelineCompiler(this::startFromRoute);
        folder = new RoutesFolder(settings.routesDir(), pipelines, agents, camel, new RoutesFolder.Listener() {
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
                removeRoute(camel, Endpoints.pipelineTriggerRoute(p.name()));
                camel.addRoutes(compiler.compile(p));
                startDemoAgents(camel, p);
            }

            @Override
            public void unloaded(String pipeline) throws Exception {
                scheduler.unloaded(pipeline);
                removeRoute(camel, Endpoints.pipelineTriggerRoute(pipeline));
            }
        });
        folder.scan();
        // Runs in flight finish on their pinned revision even when its file is gone: their demo agents must run.
        for (String[] pr : tx.run(store::activeRevisions)) {
            startDemoAgents(camel, tx.run(c -> pipelines.pinned(c, pr[0], pr[1])));
        }
        scheduler.forgetAllBut(pipelines.all());
        camel.addRoutes(new EngineRoutes(engine, scheduler, webhooks, relay, faults, settings.resultConsumers()));
        scheduler.start(pipelines.all());
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("timer:" + Endpoints.ROUTE_ROUTES_WATCH + "?period=" + settings.scanIntervalMillis())
                        .routeId(Endpoints.ROUTE_ROUTES_WATCH).process(ex -> folder.scan());
            }
        });
        runs = new RunService(pipelines, folder, engine, relay, tx, store, scheduler);
        LOG.info("Baton is up in {} ms: http://{}:{}/api, broker {}, database {}, routes from {}",
                (System.nanoTime() - t0) / 1_000_000, settings.httpHost(), settings.httpPort(),
                bs.embedded() ? "embedded (tcp port " + bs.port() + ")" : bs.url(),
                settings.db().url(), settings.routesDir());
    }

    /** Who may call the API: null when it runs open (with a loud warning), else the configured credentials. */
    private Authenticator authenticator() throws java.io.IOException {
        var security = settings.security();
        if (security.open()) {
            LOG.warn("*****************************************************************************");
            LOG.warn("* THE REST API IS OPEN: no credentials are asked, every caller is admin.    *");
            LOG.warn("* Only for the demo on a trusted machine (baton.security.open=true).        *");
            LOG.warn("*****************************************************************************");
            return null;
        }
        SecurityConfig config = SecurityConfig.load(security.file());
        if (config.isEmpty()) {
            config = InitialAdminKey.ensure(settings.dataDir());
            LOG.warn("{} lists no API keys or users: the API accepts only the initial admin key in {} "
                    + "(export BATON_API_KEY=$(cat {})); add credentials to {} and it stops being accepted",
                    security.file(), settings.dataDir().resolve(InitialAdminKey.FILE),
                    settings.dataDir().resolve(InitialAdminKey.FILE), security.file());
        } else {
            LOG.info("REST API credentials from {}: {} API key(s), {} user(s)", security.file(),
                    config.apiKeys().size(), config.users().size());
        }
        return new Authenticator(config);
    }

    /** Demo agents live in this process: one consumer route per agent a pipeline names that is of the demo kind. */
    private synchronized void startDemoAgents(CamelContext camel, Pipeline p) throws Exception {
        Set<String> names = new LinkedHashSet<>(p.agents().keySet());
        p.stages().forEach(s -> names.addAll(s.agentNames()));
        for (String name : names) {
            AgentConfig a = agents.find(name).orElse(null);
            if (a != null && a.kind() == AgentKind.DEMO && demoAgentsStarted.add(name)) {
                camel.addRoutes(new DemoAgentRoutes(name, a.demo()));
                LOG.info("demo agent '{}' is consuming {}", name, Endpoints.agentQueue(name));
            }
        }
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

    @Override
    public void close() {
        try {
            if (main != null) main.stop();
        } catch (Exception e) {
            LOG.warn("stopping Camel: {}", e.getMessage());
        }
        if (relayConnections != null) relayConnections.destroy();
        if (consumerConnections != null) consumerConnections.close();
        if (dataSource != null) dataSource.close();
        try {
            if (broker != null) broker.close();
        } catch (Exception e) {
            LOG.warn("stopping the broker: {}", e.getMessage());
        }
    }

    /** The UTC system clock cut to microseconds ({@code Clock.tick} below a millisecond divides by zero). */
    private static final class MicrosClock extends Clock {
        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException("Baton's clock is UTC");
        }

        @Override
        public java.time.Instant instant() {
            return java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        }

        @Override
        public long millis() {
            return System.currentTimeMillis();
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
