package dev.baton;

import com.zaxxer.hikari.HikariDataSource;
import dev.baton.agent.AgentConfig;
import dev.baton.agent.AgentKind;
import dev.baton.agent.AgentRegistry;
import dev.baton.agent.DemoAgentRoutes;
import dev.baton.agent.HttpAgent;
import dev.baton.agent.LlmAgent;
import dev.baton.agent.ServiceAgentRoutes;
import dev.baton.agent.QueueLimits;
import dev.baton.api.AgentViews;
import dev.baton.api.ApiGuard;
import dev.baton.api.HttpListening;
import dev.baton.api.ApiRoutes;
import dev.baton.api.PipelineCheck;
import dev.baton.api.auth.Authenticator;
import dev.baton.api.auth.InitialAdminKey;
import dev.baton.api.auth.SecurityConfig;
import dev.baton.api.DeadLetters;
import dev.baton.api.JmsSubmitRoutes;
import dev.baton.api.Metrics;
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
import dev.baton.runtime.AgentHealth;
import dev.baton.runtime.AgentHealthRoutes;
import dev.baton.runtime.EngineRoutes;
import dev.baton.runtime.Faults;
import dev.baton.runtime.OutboxRelay;
import dev.baton.runtime.RunEngine;
import dev.baton.runtime.RunMetrics;
import dev.baton.runtime.RunReplies;
import dev.baton.runtime.Scheduler;
import dev.baton.runtime.Webhooks;
import dev.baton.ticket.AgentStore;
import dev.baton.ticket.Database;
import dev.baton.ticket.OutboxStore;
import dev.baton.ticket.ReplyStore;
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
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jms.connection.CachingConnectionFactory;
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
    private final AgentRegistry agents;
    /** Where agents' credentials come from: the process environment, or a test's map. */
    private final Function<String, String> env;
    private EmbeddedBroker broker;
    private HikariDataSource dataSource;
    private CachingConnectionFactory relayConnections;
    private OutboxRelay relay;
    private ActiveMQConnectionFactory consumerConnections;
    private ActiveMQConnectionFactory agentConnections;
    private QueueLimits queueLimits;
    /** The max-consumers set on each agent's queue by this process. */
    private final Map<String, Integer> queueLimitsApplied = new java.util.HashMap<>();
    private Main main;
    /** Set last: until then the API answers 503. */
    private volatile RunService runs;
    private PipelineRegistry pipelines;
    private RoutesFolder folder;
    private Scheduler scheduler;
    private final Set<String> demoAgentsStarted = new LinkedHashSet<>();

    private BatonServer(BatonSettings settings, AgentRegistry agents, Function<String, String> env) {
        this.settings = settings;
        this.agents = agents;
        this.env = env;
    }

    public static BatonServer start(BatonSettings settings) throws Exception {
        return start(settings, System::getenv);
    }

    /** Starts Baton; {@code env} gives the environment variables agents take credentials from. */
    public static BatonServer start(BatonSettings settings, Function<String, String> env) throws Exception {
        AgentRegistry agents = AgentRegistry.load(settings.configDir().resolve("agents.yaml"));
        BatonServer server = new BatonServer(settings, agents, env);
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
            agents.names().forEach(broker::allowAgent);
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
        var cf = connectionFactory();
        consumerConnections = cf;
        relayConnections = new CachingConnectionFactory(connectionFactory());
        relayConnections.setSessionCacheSize(32);
        // In-process agents hold one ticket at a time: without prefetch a consumer takes its next ticket only when
        // it asks, so max-consumers bounds the tickets in flight and priority order holds up to the last message.
        agentConnections =
                new ActiveMQConnectionFactory(bs.connectUrl(), blankToNull(bs.user()), blankToNull(bs.password()));
        agentConnections.setConsumerWindowSize(0);
        queueLimits = new QueueLimits(cf);

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
        JmsComponent jmsAgent = JmsComponent.jmsComponent(agentConnections);
        // A sender's Camel* properties never reach a route (reply consumers use the out component).
        jms.setHeaderFilterStrategy(new InboundHeaderFilter());
        jmsOut.setHeaderFilterStrategy(new InboundHeaderFilter());
        jmsAgent.setHeaderFilterStrategy(new InboundHeaderFilter());
        main.bind(Endpoints.JMS, jms);
        main.bind(Endpoints.JMS_OUT, jmsOut);
        main.bind(Endpoints.JMS_AGENT, jmsAgent);
        ApiGuard guard = new ApiGuard(authenticator());
        AgentHealth.Policy health = new AgentHealth.Policy(settings.heartbeatInterval(), 3);
        main.configure().addRoutesBuilder(new ApiRoutes(() -> runs, new DeadLetters(cf), settings.apiMaxBodyBytes(),
                new PipelineCheck(agents), new AgentViews(agents, pipelines, tx, health, cf, clock)));
        main.start();
        CamelContext camel = main.getCamelContext();
        HttpListening.require(camel, settings.httpHost(), settings.httpPort());
        guard.install(camel);

        var relayTransactions = new TransactionTemplate(new JmsTransactionManager(relayConnections));
        // Its own transaction even if a caller's thread had one on the same connections: committed when send returns.
        relayTransactions.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        relay = new OutboxRelay(camel.createProducerTemplate(), tx, outbox, faults, clock,
                sends -> relayTransactions.executeWithoutResult(status -> sends.run()));
        Webhooks webhooks = new Webhooks(tx, new WebhookStore(), outbox, settings.webhooks(), clock);
        PrometheusMeterRegistry registry = meterRegistry();
        RunReplies replies = new RunReplies(new ReplyStore(), outbox,
                (c, runId) -> RunService.view(c, store, pipelines, runId));
        RunEngine engine = new RunEngine(tx, store, outbox, pipelines, webhooks, clock,
                new RunEngine.Reporting(new RunMetrics(registry), replies), faults,
                agent -> agents.find(agent).map(AgentConfig::priority).orElse(null), agents, health,
                agents::price);
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
        camel.addRoutes(new EngineRoutes(engine, scheduler, webhooks, relay, faults, settings.resultConsumers(),
                settings.broker().user()));
        camel.addRoutes(new AgentHealthRoutes(new AgentHealth(tx, new AgentStore(), store, outbox, health, clock), relay));
        scheduler.start(pipelines.all());
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("timer:" + Endpoints.ROUTE_ROUTES_WATCH + "?period=" + settings.scanIntervalMillis())
                        .routeId(Endpoints.ROUTE_ROUTES_WATCH).process(ex -> folder.scan());
            }
        });
        RunService service = new RunService(pipelines, folder, engine, relay, tx, store, scheduler,
                new Metrics(registry, tx, cf));
        camel.addRoutes(new JmsSubmitRoutes(service, SUBMIT_CONSUMERS));
        runs = service;
        LOG.info("Baton is up in {} ms: http://{}:{}/api, broker {}, database {}, routes from {}",
                (System.nanoTime() - t0) / 1_000_000, settings.httpHost(), settings.httpPort(),
                bs.embedded() ? "embedded (tcp port " + bs.port() + ")" : bs.url(),
                settings.db().url(), settings.routesDir());
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

    /** An in-process agent opens no more consumers than its queue admits: the ones over would fail and retry. */
    private static int consumers(int concurrency, Integer maxConcurrency) {
        return maxConcurrency == null ? concurrency : Math.min(concurrency, maxConcurrency);
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

    /**
     * Sets the broker's max-consumers on the queue of every agent the pipeline names that has a
     * {@code maxConcurrency}, then starts the demo, llm and http agents among them: they live in this process, one
     * consumer route per agent, with no more consumers than the queue admits. Every agent a pipeline names (or
     * its agentSelector can choose) may log in to the embedded broker with its own user and consume its queue.
     */
    private synchronized void startDemoAgents(CamelContext camel, Pipeline p) throws Exception {
        Set<String> names = new LinkedHashSet<>(p.agents().keySet());
        p.stages().forEach(s -> names.addAll(s.agentNames()));
        // An agentSelector may choose any registry agent that matches, so those must consume too.
        for (var stage : p.stages()) {
            if (stage instanceof AgentStage a && a.selector() != null) {
                for (AgentConfig c : agents.all()) {
                    var spec = c.spec().mergedWith(p.agents().get(c.name()));
                    if (a.selector().matches(spec.role(), spec.capabilities())) names.add(c.name());
                }
            }
        }
        if (broker != null) {
            names.forEach(broker::allowAgent);
        }
        for (String name : names) {
            AgentConfig a = agents.find(name).orElse(null);
            Integer max = maxConcurrency(a, p.agents().get(name));
            if (max != null && !max.equals(queueLimitsApplied.get(name)) && queueLimits.apply(name, max) == null) {
                queueLimitsApplied.put(name, max);
            }
            if (a == null || a.kind() == AgentKind.EXTERNAL || !demoAgentsStarted.add(name)) {
                continue;
            }
            switch (a.kind()) {
                case DEMO -> camel.addRoutes(new DemoAgentRoutes(name, a.demo(), queueLimitsApplied.get(name),
                        settings.heartbeatInterval(), INSTANCE));
                case LLM -> camel.addRoutes(new ServiceAgentRoutes(name, new LlmAgent(name, a.llm(), env),
                        consumers(a.llm().concurrency(), queueLimitsApplied.get(name))));
                case HTTP -> camel.addRoutes(new ServiceAgentRoutes(name, new HttpAgent(name, a.http(), env),
                        consumers(a.http().concurrency(), queueLimitsApplied.get(name))));
                default -> throw new IllegalStateException("agent kind " + a.kind() + " does not run in Baton");
            }
            LOG.info("{} agent '{}' is consuming {}", a.kind().name().toLowerCase(java.util.Locale.ROOT), name,
                    Endpoints.agentQueue(name));
        }
    }

    /** config/agents.yaml wins over a pipeline's {@code spec.agents}: the queue is one for every pipeline. */
    private static Integer maxConcurrency(AgentConfig registry, dev.baton.pipeline.AgentSpec declared) {
        if (registry != null && registry.maxConcurrency() != null) {
            return registry.maxConcurrency();
        }
        return declared == null ? null : declared.maxConcurrency();
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
        var bs = settings.broker();
        return new ActiveMQConnectionFactory(bs.connectUrl(), blankToNull(bs.user()), blankToNull(bs.password()));
    }

    /** The outbox relay (tests send through it as a transition does). */
    OutboxRelay relay() {
        return relay;
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

    @Override
    public void close() {
        try {
            if (main != null) main.stop();
        } catch (Exception e) {
            LOG.warn("stopping Camel: {}", e.getMessage());
        }
        if (relayConnections != null) relayConnections.destroy();
        if (consumerConnections != null) consumerConnections.close();
        if (agentConnections != null) agentConnections.close();
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

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
