package dev.baton.agent;

import dev.baton.compile.Endpoints;
import dev.baton.pipeline.AgentSpec;
import dev.baton.pipeline.AgentStage;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.Stage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agents of the loaded pipelines as this Baton process serves them: the broker's max-consumers on each agent's
 * queue, and the consumer routes of the agents that run inside Baton (demo, llm, http), started once per agent and
 * stopped or restarted when a registry reload changes or removes them.
 */
public final class InProcessAgents {
    private static final Logger LOG = LoggerFactory.getLogger(InProcessAgents.class);

    /**
     * What the in-process agents need from the process.
     *
     * @param instance this process as an agent instance in heartbeats
     * @param env where agents' credentials come from
     */
    public record Setup(Duration heartbeatInterval, String instance, Function<String, String> env) {}

    /**
     * An agent this process runs: the settings it was started with, the pipeline whose {@code spec.agents} declared
     * them (null when they came from the registry), its routes, and what they hold open (an MCP server, HTTP clients).
     */
    private record Running(
            AgentConfig config, String declaredBy, List<String> routeIds, List<AutoCloseable> resources) {}

    private final CamelContext camel;
    private final LiveRegistry registry;
    private final QueueLimits queueLimits;
    private final Consumer<String> allowAgent;
    private final Setup setup;
    /** The max-consumers set on each agent's queue by this process. */
    private final Map<String, Integer> queueLimitsApplied = new HashMap<>();

    private final Map<String, Running> running = new LinkedHashMap<>();
    /** Agents already reported as made by the registry's default, so each is logged once per registry. */
    private final Set<String> warnedDefault = new HashSet<>();

    public InProcessAgents(
            CamelContext camel,
            LiveRegistry registry,
            QueueLimits queueLimits,
            Consumer<String> allowAgent,
            Setup setup) {
        this.camel = camel;
        this.registry = registry;
        this.queueLimits = queueLimits;
        this.allowAgent = allowAgent;
        this.setup = setup;
    }

    /**
     * Sets the broker's max-consumers on the queue of every agent the pipeline names that has a
     * {@code maxConcurrency}, then starts the in-process agents among them that are not running yet, one consumer
     * route per agent, with no more consumers than the queue admits. Every agent a pipeline names (or its
     * agentSelector can choose) may log in to the embedded broker with its own user and consume its queue.
     */
    public synchronized void serve(Pipeline p) throws Exception {
        AgentRegistry agents = registry.current();
        Set<String> names = names(p, agents);
        names.forEach(allowAgent);
        List<String> byDefault = new ArrayList<>();
        for (String name : names) {
            AgentSpec declared = p.agents().get(name);
            AgentConfig a = agents.resolve(name, declared).orElse(null);
            if (a != null && agents.byDefault(name, declared)) {
                byDefault.add(name);
            }
            Integer max = maxConcurrency(a, declared);
            if (max != null && !max.equals(queueLimitsApplied.get(name)) && queueLimits.apply(name, max) == null) {
                queueLimitsApplied.put(name, max);
            }
            if (a == null || a.kind() == AgentKind.EXTERNAL) {
                continue;
            }
            Running now = running.get(name);
            boolean fromPipeline = declared != null
                    && declared.declaration() != null
                    && !agents.names().contains(name);
            if (now != null
                    && !now.config().equals(a)
                    && fromPipeline
                    && p.name().equals(now.declaredBy())) {
                // The pipeline that declared it was edited: its new revision serves new runs, with the new settings.
                stop(name, now, "pipeline '" + p.name() + "' declares it anew");
                now = null;
            }
            if (now != null) {
                if (!now.config().equals(a)) {
                    LOG.warn(
                            "pipeline '{}' declares agent '{}' as {}, but it already runs here as {} (declared "
                                    + "elsewhere first): its queue is one for every pipeline, so it keeps running as it is",
                            p.name(),
                            name,
                            LiveRegistry.kindName(a),
                            LiveRegistry.kindName(now.config()));
                }
                continue;
            }
            start(name, a, fromPipeline ? p.name() : null);
        }
        byDefault.removeIf(n -> !warnedDefault.add(n));
        if (!byDefault.isEmpty()) {
            LOG.warn(
                    "pipeline '{}': agent(s) {} are declared neither in config/agents.yaml nor with a kind in "
                            + "spec.agents, so the registry's `default` makes them {} agents; remove `default` to make "
                            + "this an error",
                    p.name(),
                    byDefault,
                    LiveRegistry.kindName(agents.defaultAgent()));
        }
    }

    /**
     * After a registry reload: stops the in-process agents whose settings changed or are gone (their tickets in
     * flight finish first, as on any route stop), so that {@link #serve} starts them again as the registry says now.
     */
    public synchronized void registryChanged(AgentRegistry before, AgentRegistry after) throws Exception {
        warnedDefault.clear();
        for (String name : List.copyOf(running.keySet())) {
            Running r = running.get(name);
            AgentConfig now = after.find(name).orElse(null);
            boolean fromRegistry = before.find(name).map(r.config()::equals).orElse(false);
            // One the registry made (listed, or by default) follows it; one a pipeline declared yields to a listing.
            boolean stale = fromRegistry
                    ? !r.config().equals(now)
                    : after.names().contains(name) && !r.config().equals(now);
            if (stale) {
                stop(name, r, now == null ? "config/agents.yaml no longer lists it" : "config/agents.yaml changed it");
            }
        }
    }

    /** Stops an agent's routes (its ticket in hand finishes first) and closes what it holds open. */
    private void stop(String name, Running r, String why) throws Exception {
        for (String id : r.routeIds()) {
            camel.getRouteController().stopRoute(id);
            camel.removeRoute(id);
        }
        closeAll(r.resources());
        running.remove(name);
        LOG.info("{} agent '{}' stopped: {}", LiveRegistry.kindName(r.config()), name, why);
    }

    private void start(String name, AgentConfig a, String declaredBy) throws Exception {
        Set<String> before = routeIds();
        Integer limit = queueLimitsApplied.get(name);
        List<AutoCloseable> resources = new ArrayList<>();
        switch (a.kind()) {
            case DEMO ->
                camel.addRoutes(
                        new DemoAgentRoutes(name, a.demo(), limit, setup.heartbeatInterval(), setup.instance()));
            case LLM -> {
                LlmAgent llm = new LlmAgent(name, a.llm(), setup.env());
                resources.add(llm);
                camel.addRoutes(
                        new ServiceAgentRoutes(name, llm, consumers(a.llm().concurrency(), limit)));
            }
            case HTTP ->
                camel.addRoutes(new ServiceAgentRoutes(
                        name,
                        new HttpAgent(name, a.http(), setup.env()),
                        consumers(a.http().concurrency(), limit)));
            case CAMEL ->
                camel.addRoutes(new CamelAgentRoutes(
                        name, a.camel(), consumers(a.camel().concurrency(), limit)));
            case MCP -> {
                McpAgent mcp = new McpAgent(name, a.mcp(), setup.env());
                resources.add(mcp);
                camel.addRoutes(
                        new ServiceAgentRoutes(name, mcp, consumers(a.mcp().concurrency(), limit)));
            }
            default -> throw new IllegalStateException("agent kind " + a.kind() + " does not run in Baton");
        }
        List<String> added = new ArrayList<>(routeIds());
        added.removeAll(before);
        running.put(name, new Running(a, declaredBy, List.copyOf(added), List.copyOf(resources)));
        LOG.info(
                "{} agent '{}' is consuming {}",
                a.kind().name().toLowerCase(Locale.ROOT),
                name,
                Endpoints.agentQueue(name));
    }

    /** Closes what the agents hold open; their routes stop with Camel, which the caller stops first. */
    public synchronized void close() {
        running.values().forEach(r -> closeAll(r.resources()));
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                LOG.warn("closing an agent's connection: {}", e.getMessage());
            }
        }
    }

    private Set<String> routeIds() {
        Set<String> ids = new HashSet<>();
        for (Route r : camel.getRoutes()) ids.add(r.getRouteId());
        return ids;
    }

    /** The agents the pipeline declares or names, and those of the registry its agentSelectors can choose. */
    private static Set<String> names(Pipeline p, AgentRegistry agents) {
        Set<String> names = new LinkedHashSet<>(p.agents().keySet());
        p.stages().forEach(s -> names.addAll(s.agentNames()));
        for (Stage stage : p.stages()) {
            if (stage instanceof AgentStage a && a.selector() != null) {
                for (AgentConfig c : agents.all()) {
                    var spec = c.spec().mergedWith(p.agents().get(c.name()));
                    if (a.selector().matches(spec.role(), spec.capabilities())) names.add(c.name());
                }
            }
        }
        return names;
    }

    /** An in-process agent opens no more consumers than its queue admits: the ones over would fail and retry. */
    private static int consumers(int concurrency, Integer maxConcurrency) {
        return maxConcurrency == null ? concurrency : Math.min(concurrency, maxConcurrency);
    }

    /** config/agents.yaml wins over a pipeline's {@code spec.agents}: the queue is one for every pipeline. */
    private static Integer maxConcurrency(AgentConfig registry, AgentSpec declared) {
        if (registry != null && registry.maxConcurrency() != null) {
            return registry.maxConcurrency();
        }
        return declared == null ? null : declared.maxConcurrency();
    }
}
