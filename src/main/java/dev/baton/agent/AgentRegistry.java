package dev.baton.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.pipeline.AgentCatalog;
import dev.baton.pipeline.Durations;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.TokenPrice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** The agents of {@code config/agents.yaml}, plus the optional default kind for agents it does not list. */
public final class AgentRegistry implements AgentCatalog {
    private static final Set<String> AGENT_FIELDS = Set.of("kind", "role", "capabilities", "maxConcurrency",
            "output", "delay", "failFirstAttempts", "fail", "concurrency", "model", "baseUrl", "apiKeyEnv", "url",
            "priority", "systemPrompt", "template");
    /** What an agent of any kind may say; the llm and http kinds allow these and their own options only. */
    private static final Set<String> COMMON_FIELDS = Set.of("kind", "role", "capabilities", "maxConcurrency",
            "priority");

    private final Map<String, AgentConfig> agents;
    private final AgentConfig defaultAgent;
    private final Map<String, TokenPrice> prices;

    private AgentRegistry(Map<String, AgentConfig> agents, AgentConfig defaultAgent, Map<String, TokenPrice> prices) {
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
        Object doc;
        YamlPositions positions;
        try {
            LoadSettings settings = LoadSettings.builder().setAllowDuplicateKeys(false)
                    .setMaxAliasesForCollections(20).setLabel(file.toString()).build();
            String text = Files.readString(file);
            doc = new Load(settings).loadFromString(text);
            positions = YamlPositions.of(file.toString(), text, settings);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        List<String> errors = new ArrayList<>();
        JsonNode root = Json.MAPPER.valueToTree(doc == null ? Map.of() : doc);
        root.fieldNames().forEachRemaining(f -> {
            if (!f.equals("agents") && !f.equals("default") && !f.equals("prices")) {
                errors.add(file + ": unknown field '" + f + "'; expected one of agents, default, prices");
            }
        });
        Map<String, AgentConfig> agents = new LinkedHashMap<>();
        root.path("agents").fields().forEachRemaining(e ->
                agents.put(e.getKey(), parse(file + ": agents." + e.getKey(), e.getKey(), e.getValue(), errors,
                        new RegistryEntry(e.getKey(), "agents." + e.getKey(), e.getValue(), positions, errors))));
        AgentConfig def = root.hasNonNull("default") ? parse(file + ": default", null, root.get("default"), errors,
                new RegistryEntry(null, "default", root.get("default"), positions, errors)) : null;
        Map<String, TokenPrice> prices = PriceTable.read(root.get("prices"), positions, errors);
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", errors));
        }
        return new AgentRegistry(java.util.Collections.unmodifiableMap(agents), def, Map.copyOf(prices));
    }

    private static AgentConfig parse(String where, String name, JsonNode n, List<String> errors, RegistryEntry entry) {
        AgentKind kind;
        try {
            kind = AgentKind.valueOf(n.path("kind").asText("external").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            errors.add(where + ".kind: '" + n.path("kind").asText() + "' is unknown; use one of external, demo, llm, http");
            kind = AgentKind.EXTERNAL;
        }
        if (kind != AgentKind.LLM && kind != AgentKind.HTTP) {
            n.fieldNames().forEachRemaining(f -> {
                if (!AGENT_FIELDS.contains(f)) errors.add(where + ": unknown field '" + f + "'");
            });
        }
        LlmOptions llm = kind == AgentKind.LLM ? LlmOptions.read(entry, COMMON_FIELDS) : null;
        HttpOptions http = kind == AgentKind.HTTP ? HttpOptions.read(entry, COMMON_FIELDS) : null;
        DemoOptions demo = null;
        if (kind == AgentKind.DEMO) {
            Duration delay = Duration.ZERO;
            if (n.hasNonNull("delay")) {
                try {
                    delay = Durations.parse(n.get("delay").asText());
                } catch (IllegalArgumentException e) {
                    errors.add(where + ".delay: " + e.getMessage());
                }
            }
            demo = new DemoOptions(n.get("output"), delay, n.path("failFirstAttempts").asInt(0),
                    n.path("fail").asBoolean(false), Math.max(1, n.path("concurrency").asInt(4)));
        }
        List<String> caps = new ArrayList<>();
        n.path("capabilities").forEach(c -> caps.add(c.asText()));
        Integer max = integer(n, "maxConcurrency", 1, Integer.MAX_VALUE, where, "must be an integer of at least 1",
                errors);
        Integer priority = integer(n, "priority", 0, 9, where, "must be an integer from 0 to 9", errors);
        if (n.has("capabilities") && !n.get("capabilities").isArray()) {
            errors.add(where + ".capabilities: must be a list of capability names");
        }
        return new AgentConfig(name, kind, n.path("role").asText(null), List.copyOf(caps), max, priority, demo, llm,
                http);
    }

    private static Integer integer(JsonNode n, String field, int min, int max, String where, String rule,
            List<String> errors) {
        if (!n.hasNonNull(field)) {
            return null;
        }
        JsonNode v = n.get(field);
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < min || v.asInt() > max) {
            errors.add(where + "." + field + ": " + rule + ", not " + v);
            return null;
        }
        return v.asInt();
    }

    /** The agent's configuration: listed, else the default kind under this name, else empty (unknown). */
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
     * The price of the agent's tokens: that of its {@code model} (llm agents), else one listed under the agent's own
     * name; empty when {@code prices} has neither.
     */
    public Optional<TokenPrice> price(String agent) {
        String model = find(agent).map(AgentConfig::llm).map(LlmOptions::model).orElse(null);
        TokenPrice p = model == null ? null : prices.get(model);
        return Optional.ofNullable(p != null ? p : prices.get(agent));
    }

    /** The agents the file lists, in file order. */
    public List<AgentConfig> all() {
        return List.copyOf(agents.values());
    }

    @Override
    public List<dev.baton.pipeline.AgentSpec> listed() {
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
