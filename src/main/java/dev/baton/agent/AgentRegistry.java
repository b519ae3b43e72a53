package dev.baton.agent;

import dev.baton.pipeline.AgentCatalog;
import dev.baton.pipeline.AgentSpec;
import dev.baton.pipeline.TokenPrice;
import dev.baton.pipeline.Violation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The agents of {@code config/agents.yaml}, plus the optional default kind for agents it does not list. */
public final class AgentRegistry implements AgentCatalog {
    private final Map<String, AgentConfig> agents;
    private final AgentConfig defaultAgent;
    private final Map<String, TokenPrice> prices;

    AgentRegistry(Map<String, AgentConfig> agents, AgentConfig defaultAgent, Map<String, TokenPrice> prices) {
        this.agents = agents;
        this.defaultAgent = defaultAgent;
        this.prices = prices;
    }

    public static AgentRegistry empty() {
        return new AgentRegistry(Map.of(), null, Map.of());
    }

    /** Reads {@code agents.yaml}; a missing file is an empty registry, a broken one an error listing every problem. */
    public static AgentRegistry load(Path file) {
        if (!Files.exists(file)) {
            return empty();
        }
        try {
            return parse(file.toString(), Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a registry from its text; every problem is in the exception's message, one a line, each as
     * {@code file:line:column agent 'name': message}.
     */
    public static AgentRegistry parse(String file, String text) {
        return AgentsFile.parse(file, text);
    }

    /**
     * Problems with the kind and kind options a pipeline declares for one agent under {@code spec.agents}, as this
     * file's entries are checked; the role, capabilities, maxConcurrency and priority are the pipeline loader's.
     */
    @Override
    public List<Violation> checkDeclared(AgentSpec declared, String file, String source) {
        return AgentsFile.check(declared, file, source);
    }

    /** The agent as this registry lists it, else under the default, else empty (unknown). */
    public Optional<AgentConfig> find(String name) {
        AgentConfig a = agents.get(name);
        if (a != null) {
            return Optional.of(a);
        }
        if (defaultAgent != null) {
            return Optional.of(defaultAgent.named(name));
        }
        return Optional.empty();
    }

    /**
     * What runs as agent {@code name} for a pipeline that declares it as {@code declared} (or not at all): the
     * registry's entry wins; else the kind the pipeline declares; else the registry's {@code default}; else nothing
     * (an external agent nobody described).
     */
    public Optional<AgentConfig> resolve(String name, AgentSpec declared) {
        AgentConfig a = agents.get(name);
        if (a != null) {
            return Optional.of(a);
        }
        AgentConfig fromPipeline = AgentsFile.declared(declared);
        if (fromPipeline != null) {
            return Optional.of(fromPipeline);
        }
        return find(name);
    }

    /** True when {@link #resolve} gives agent {@code name} the registry's {@code default}, nobody having said more. */
    public boolean byDefault(String name, AgentSpec declared) {
        return defaultAgent != null
                && !agents.containsKey(name)
                && (declared == null || declared.declaration() == null);
    }

    /** The {@code default} entry, or null. */
    public AgentConfig defaultAgent() {
        return defaultAgent;
    }

    /**
     * The price of the agent's tokens: that of its {@code model} (llm agents), else one listed under the agent's own
     * name; empty when {@code prices} has neither.
     */
    public Optional<TokenPrice> price(String agent) {
        return price(agent, null);
    }

    /** {@link #price(String)} of the agent as a pipeline declaring it as {@code declared} runs it ({@link #resolve}). */
    public Optional<TokenPrice> price(String agent, AgentSpec declared) {
        String model = resolve(agent, declared)
                .map(AgentConfig::llm)
                .map(LlmOptions::model)
                .orElse(null);
        TokenPrice p = model == null ? null : prices.get(model);
        return Optional.ofNullable(p != null ? p : prices.get(agent));
    }

    /** The agents the file lists, in file order. */
    public List<AgentConfig> all() {
        return List.copyOf(agents.values());
    }

    @Override
    public List<AgentSpec> listed() {
        return agents.values().stream().map(AgentConfig::spec).toList();
    }

    /** The names of the agents the file lists. */
    public Set<String> names() {
        return agents.keySet();
    }

    @Override
    public boolean knows(String agent) {
        return agents.containsKey(agent) || defaultAgent != null;
    }
}
