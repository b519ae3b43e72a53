package dev.baton.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.agent.AgentConfig;
import dev.baton.agent.AgentRegistry;
import dev.baton.agent.LiveRegistry;
import dev.baton.compile.Endpoints;
import dev.baton.compile.PipelineRegistry;
import dev.baton.pipeline.AgentSpec;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.Pipeline;
import dev.baton.runtime.AgentHealth;
import dev.baton.ticket.AgentStore;
import dev.baton.ticket.AgentStore.InstanceRow;
import dev.baton.ticket.Tx;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Session;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /api/agents}: every agent the registry lists, the loaded pipelines declare or name, or that sent a
 * heartbeat, with its settings (registry first, the pipelines' spec.agents fill the gaps), its health and instances
 * and tickets from the database, and its queue's depth and consumers from the broker's management address.
 */
public final class AgentViews {
    private static final Duration MANAGEMENT_TIMEOUT = Duration.ofSeconds(2);

    private final LiveRegistry live;
    private final PipelineRegistry pipelines;
    private final Tx tx;
    private final AgentHealth.Policy health;
    private final ConnectionFactory connections;
    private final Clock clock;
    private final AgentStore store = new AgentStore();

    public AgentViews(
            LiveRegistry registry,
            PipelineRegistry pipelines,
            Tx tx,
            AgentHealth.Policy health,
            ConnectionFactory connections,
            Clock clock) {
        this.live = registry;
        this.pipelines = pipelines;
        this.tx = tx;
        this.health = health;
        this.connections = connections;
        this.clock = clock;
    }

    /** One entry per agent, by name: registry order first, then the pipelines', then those only heard of. */
    public ArrayNode list() {
        AgentRegistry registry = live.current();
        Map<String, AgentSpec> specs = new LinkedHashMap<>();
        Map<String, String> kinds = new LinkedHashMap<>();
        for (AgentConfig a : registry.all()) {
            specs.put(a.name(), a.spec());
        }
        for (Pipeline p : pipelines.all()) {
            p.agents().values().forEach(a -> specs.merge(a.name(), a, AgentSpec::mergedWith));
            p.stages()
                    .forEach(s -> s.agentNames()
                            .forEach(n -> specs.putIfAbsent(n, new AgentSpec(n, null, List.of(), null, null))));
        }
        List<InstanceRow> instances = tx.run(store::instances);
        Map<String, Map<String, Integer>> load = tx.run(store::load);
        instances.forEach(i -> specs.putIfAbsent(i.agent(), new AgentSpec(i.agent(), null, List.of(), null, null)));
        // The kind as it runs: the registry's, else the one a pipeline declares, else the registry's default.
        specs.forEach((n, spec) -> kinds.put(
                n,
                registry.resolve(n, spec)
                        .map(c -> c.kind().name().toLowerCase(Locale.ROOT))
                        .orElse(null)));
        Instant now = clock.instant();
        ArrayNode out = Json.MAPPER.createArrayNode();
        try (Broker broker = Broker.open(connections)) {
            for (AgentSpec a : specs.values()) {
                AgentSpec merged =
                        registry.find(a.name()).map(c -> c.spec().mergedWith(a)).orElse(a);
                out.add(view(
                        merged, kinds.get(a.name()), instances, load.getOrDefault(a.name(), Map.of()), broker, now));
            }
        }
        return out;
    }

    /**
     * {@code GET /api/agents/registry}: the registry in force (file, when it was loaded, its agents and default)
     * and, when the file's last edit did not load, every problem of it with line and column.
     */
    public ObjectNode registry() {
        LiveRegistry.Status s = live.status();
        ObjectNode o =
                Json.object().put("file", s.file()).put("loadedAt", s.loadedAt().toString());
        ArrayNode names = o.putArray("agents");
        s.registry().all().forEach(a -> names.add(a.name()));
        o.put(
                "default",
                s.registry().defaultAgent() == null
                        ? null
                        : s.registry().defaultAgent().kind().name().toLowerCase(Locale.ROOT));
        o.put("valid", s.errors().isEmpty());
        ArrayNode errors = o.putArray("errors");
        s.errors().forEach(errors::add);
        return o;
    }

    private ObjectNode view(
            AgentSpec a, String kind, List<InstanceRow> all, Map<String, Integer> load, Broker broker, Instant now) {
        ObjectNode o = Json.object().put("name", a.name()).put("kind", kind).put("role", a.role());
        ArrayNode caps = o.putArray("capabilities");
        (a.capabilities() == null ? List.<String>of() : a.capabilities()).forEach(caps::add);
        o.put("maxConcurrency", a.maxConcurrency()).put("priority", a.priority());
        Instant last = null;
        ArrayNode instances = Json.MAPPER.createArrayNode();
        for (InstanceRow i : all) {
            if (!i.agent().equals(a.name())) continue;
            last = last == null || i.lastHeartbeat().isAfter(last) ? i.lastHeartbeat() : last;
            ObjectNode io = instances
                    .addObject()
                    .put("instance", i.instance())
                    .put("health", health.of(i.lastHeartbeat(), now))
                    .put("lastHeartbeat", i.lastHeartbeat().toString())
                    .put("firstSeen", i.firstSeen().toString())
                    .put("downAt", i.downAt() == null ? null : i.downAt().toString());
            io.set("inFlight", i.inFlight() == null ? Json.MAPPER.createArrayNode() : Json.parse(i.inFlight()));
        }
        o.put("health", health.of(last, now)).put("lastHeartbeat", last == null ? null : last.toString());
        o.set("instances", instances);
        o.put("inFlight", load.getOrDefault("RUNNING", 0)).put("queued", load.getOrDefault("QUEUED", 0));
        String queue = Endpoints.MANAGED_QUEUE_PREFIX + Endpoints.agentQueue(a.name());
        number(broker.attribute(queue, "messageCount"))
                .ifPresentOrElse(n -> o.put("queueDepth", n), () -> o.putNull("queueDepth"));
        number(broker.attribute(queue, "consumerCount"))
                .ifPresentOrElse(n -> o.put("consumers", n), () -> o.putNull("consumers"));
        return o;
    }

    private static Optional<Long> number(Optional<Object> v) {
        return v.filter(Number.class::isInstance).map(n -> ((Number) n).longValue());
    }

    /** The broker's management, or nothing when the broker cannot be reached (the fields are then null). */
    private static final class Broker implements AutoCloseable {
        private final Connection connection;
        private final BrokerManagement management;

        private Broker(Connection connection, BrokerManagement management) {
            this.connection = connection;
            this.management = management;
        }

        static Broker open(ConnectionFactory cf) {
            try {
                Connection c = cf.createConnection();
                c.start();
                return new Broker(
                        c, new BrokerManagement(c.createSession(false, Session.AUTO_ACKNOWLEDGE), MANAGEMENT_TIMEOUT));
            } catch (JMSException e) {
                return new Broker(null, null);
            }
        }

        Optional<Object> attribute(String resource, String attribute) {
            return management == null ? Optional.empty() : management.attribute(resource, attribute);
        }

        @Override
        public void close() {
            try {
                if (connection != null) connection.close();
            } catch (JMSException e) {
                // nothing left to do with a broken connection
            }
        }
    }
}
