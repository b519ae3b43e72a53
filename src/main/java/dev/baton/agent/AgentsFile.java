package dev.baton.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.AgentSpec;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.TokenPrice;
import dev.baton.pipeline.Violation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Reads {@code agents.yaml}, and the kind a pipeline declares for one of its agents, with the same rules: every
 * problem is collected and reported at its file:line:column.
 */
final class AgentsFile {
    /** What an agent of any kind may say; each kind allows these and its own options only. */
    private static final Set<String> COMMON_FIELDS =
            Set.of("kind", "role", "capabilities", "maxConcurrency", "priority");

    private static final Set<String> DEMO_OPTIONS =
            Set.of("output", "delay", "failFirstAttempts", "fail", "concurrency");

    /** Agent names, as pipelines must write them too. */
    private static final Pattern AGENT_NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");

    private AgentsFile() {}

    /**
     * Reads a registry from its text; every problem is in the exception's message, one a line, each as
     * {@code file:line:column agent 'name': message}.
     */
    static AgentRegistry parse(String file, String text) {
        Object doc;
        YamlPositions positions;
        try {
            LoadSettings settings = settings(file);
            doc = new Load(settings).loadFromString(text);
            positions = YamlPositions.of(file, text, settings);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        List<String> errors = new ArrayList<>();
        JsonNode root = Json.MAPPER.valueToTree(doc == null ? Map.of() : doc);
        if (!root.isObject()) {
            throw new IllegalArgumentException(file + ":1:1 the file must be a mapping with 'agents' (and 'default')");
        }
        root.fieldNames().forEachRemaining(f -> {
            if (!f.equals("agents") && !f.equals("default") && !f.equals("prices")) {
                errors.add(positions.key(f) + " unknown field '" + f + "'; expected one of agents, default, prices");
            }
        });
        Map<String, AgentConfig> agents = new LinkedHashMap<>();
        JsonNode listed = root.path("agents");
        if (!listed.isMissingNode() && !listed.isNull() && !listed.isObject()) {
            errors.add(positions.value("agents") + " agents must be a mapping of agent names to their settings");
        }
        listed.properties().forEach(e -> {
            // The same names a pipeline may use: each becomes a queue name, a broker security match and a column.
            if (!AGENT_NAME.matcher(e.getKey()).matches()) {
                errors.add(positions.key("agents." + e.getKey()) + " agent name '" + e.getKey() + "' must match "
                        + AGENT_NAME);
            } else if (e.getKey().length() > dev.baton.pipeline.StoreLimits.AGENT) {
                errors.add(positions.key("agents." + e.getKey()) + " agent name is "
                        + e.getKey().length() + " characters; at most " + dev.baton.pipeline.StoreLimits.AGENT
                        + " are allowed");
            }
            agents.put(
                    e.getKey(),
                    parse(
                            e.getKey(),
                            new RegistryEntry(e.getKey(), "agents." + e.getKey(), e.getValue(), positions, errors)));
        });
        AgentConfig def = root.hasNonNull("default")
                ? parse(null, new RegistryEntry(null, "default", root.get("default"), positions, errors))
                : null;
        Map<String, TokenPrice> prices = PriceTable.read(root.get("prices"), positions, errors);
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", errors));
        }
        return new AgentRegistry(Collections.unmodifiableMap(agents), def, Map.copyOf(prices));
    }

    private static LoadSettings settings(String file) {
        return LoadSettings.builder()
                .setAllowDuplicateKeys(false)
                .setMaxAliasesForCollections(20)
                .setLabel(file)
                .build();
    }

    /** One agent's settings, of whatever kind; problems go to the entry. */
    private static AgentConfig parse(String name, RegistryEntry entry) {
        JsonNode n = entry.node;
        if (!n.isObject()) {
            entry.error("the settings must be a mapping like {kind: external, capabilities: [draft]}");
            n = Json.object();
        }
        AgentKind kind;
        try {
            kind = AgentKind.valueOf(n.path("kind").asText("external").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            entry.error(
                    "kind",
                    "kind '" + n.path("kind").asText() + "' is unknown; use one of external, demo, llm, "
                            + "http, camel, mcp");
            kind = AgentKind.EXTERNAL;
        }
        LlmOptions llm = kind == AgentKind.LLM ? LlmOptions.read(entry, COMMON_FIELDS) : null;
        if (kind == AgentKind.LLM) {
            TicketValues.check(n.get("system"), "system", entry);
            TicketValues.check(n.get("prompt"), "prompt", entry);
        }
        HttpOptions http = kind == AgentKind.HTTP ? HttpOptions.read(entry, COMMON_FIELDS) : null;
        CamelOptions camel = kind == AgentKind.CAMEL ? CamelOptions.read(entry, COMMON_FIELDS) : null;
        McpOptions mcp = kind == AgentKind.MCP ? McpOptions.read(entry, COMMON_FIELDS) : null;
        DemoOptions demo = null;
        if (kind == AgentKind.DEMO) {
            entry.onlyOptions("demo", COMMON_FIELDS, DEMO_OPTIONS);
            Duration delay = entry.duration("delay", Duration.ZERO);
            Integer failFirst = entry.integer("failFirstAttempts", 0, 1000);
            Integer concurrency = entry.integer("concurrency", 1, 1000);
            TicketValues.check(n.get("output"), "output", entry);
            demo = new DemoOptions(
                    n.get("output"),
                    delay,
                    failFirst == null ? 0 : failFirst,
                    n.path("fail").asBoolean(false),
                    concurrency == null ? 4 : concurrency);
        }
        if (kind == AgentKind.EXTERNAL) {
            entry.onlyOptions("external", COMMON_FIELDS, Set.of());
        }
        List<String> caps = new ArrayList<>();
        n.path("capabilities").forEach(c -> caps.add(c.asText()));
        Integer max = entry.integer("maxConcurrency", 1, Integer.MAX_VALUE);
        Integer priority = entry.integer("priority", 0, 9);
        if (n.has("capabilities") && !n.get("capabilities").isArray()) {
            entry.error("capabilities", "capabilities must be a list of capability names");
        }
        return new AgentConfig(
                name, kind, n.path("role").asText(null), List.copyOf(caps), max, priority, demo, llm, http, camel, mcp);
    }

    /**
     * Problems with the kind and kind options a pipeline declares for one agent under {@code spec.agents}, as this
     * file's entries are checked; the role, capabilities, maxConcurrency and priority are the pipeline loader's.
     */
    static List<Violation> check(AgentSpec declared, String file, String source) {
        ObjectNode options = declared.declaration().deepCopy();
        options.remove(List.of("role", "capabilities", "maxConcurrency", "priority"));
        YamlPositions positions;
        try {
            positions = YamlPositions.of(file, source, settings(file));
        } catch (RuntimeException e) {
            positions = YamlPositions.none(file); // the loader has reported the text's own problems
        }
        List<Violation> out = new ArrayList<>();
        parse(
                declared.name(),
                new RegistryEntry(
                        declared.name(),
                        "spec.agents." + declared.name(),
                        options,
                        positions,
                        (at, message) -> out.add(Violation.at(at, message))));
        return out;
    }

    /** The agent as a pipeline's {@code spec.agents} declares it with a kind; null when it declares none. */
    static AgentConfig declared(AgentSpec spec) {
        if (spec == null || spec.declaration() == null) {
            return null;
        }
        List<String> errors = new ArrayList<>();
        AgentConfig c = parse(
                spec.name(),
                new RegistryEntry(
                        spec.name(),
                        "spec.agents." + spec.name(),
                        spec.declaration(),
                        YamlPositions.none("pipeline"),
                        errors));
        // A loaded pipeline was checked with the same rules, so this only fails for a pipeline nobody validated.
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", errors));
        }
        return c;
    }
}
