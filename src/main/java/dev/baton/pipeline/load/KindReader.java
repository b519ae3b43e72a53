package dev.baton.pipeline.load;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.pipeline.AgentSelector;
import dev.baton.pipeline.AgentStage;
import dev.baton.pipeline.AggregateStrategy;
import dev.baton.pipeline.ApprovalStage;
import dev.baton.pipeline.ForEachStage;
import dev.baton.pipeline.MultiAgentStage;
import dev.baton.pipeline.StageBase;
import dev.baton.pipeline.validate.SourceMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/** Reads the parts of a stage that depend on its kind: agents, agentSelector, dynamic (for_each) and approval. */
final class KindReader {
    static final int DEFAULT_MAX_PARALLEL = 10;
    private static final List<String> STRATEGY_FIELDS = List.of("aggregateStrategy", "voteOn", "quorum");
    private static final Set<String> DYNAMIC =
            Set.of("generator", "input", "maxParallel", "template", "continueOnError");
    private static final Set<String> SELECTOR = Set.of("capabilities", "role");
    private static final Set<String> TEMPLATE = Set.of("name", "agent", "input");

    private final Fields stage;
    private final Scope scope;
    private final SourceMap where;
    private final int index;

    KindReader(Fields stage, Scope scope, SourceMap where, int index) {
        this.stage = stage;
        this.scope = scope;
        this.where = where;
        this.index = index;
    }

    /** aggregateStrategy, voteOn and quorum belong to multi-agent stages only. */
    void checkStrategyFields(String kind) {
        if ("agents".equals(kind)) {
            return;
        }
        for (String key : STRATEGY_FIELDS) {
            if (stage.has(key)) {
                scope.error(stage.keyNode(key), "'" + key + "' applies only to a stage with 'agents'");
            }
        }
    }

    MultiAgentStage multiAgent(StageBase base) {
        List<ScalarNode> nodes = stage.names("agents", "must be a list of agent names");
        List<String> agents = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int j = 0; j < nodes.size(); j++) {
            String agent = nodes.get(j).getValue();
            where.putEntry(index, "agents", j, scope.locate(nodes.get(j)));
            if (!seen.add(agent)) {
                scope.error(nodes.get(j), "'agents' lists '" + agent + "' more than once");
            }
            agents.add(agent);
        }
        if (nodes.isEmpty() && stage.value("agents") != null) {
            scope.error(stage.value("agents"), "'agents' must list at least one agent");
        }
        AggregateStrategy strategy = strategy();
        String voteOn = stage.text("voteOn");
        if (voteOn != null) {
            where.put(index, "voteOn", scope.locate(stage.value("voteOn")));
            if (!strategy.ballots()) {
                scope.error(
                        stage.keyNode("voteOn"),
                        "'voteOn' applies only to aggregateStrategy vote or quorum, not " + strategy.yaml());
            }
        }
        Integer quorum = stage.integer("quorum", 1, Integer.MAX_VALUE, "must be an integer of at least 1");
        if (stage.has("quorum") && strategy != AggregateStrategy.QUORUM) {
            scope.error(
                    stage.keyNode("quorum"),
                    "'quorum' applies only to aggregateStrategy quorum, not " + strategy.yaml());
        } else if (quorum != null && quorum > agents.size() && !agents.isEmpty()) {
            scope.error(
                    stage.value("quorum"),
                    "'quorum' (" + quorum + ") must not be more than the number of agents (" + agents.size() + ")");
        }
        return new MultiAgentStage(base, List.copyOf(agents), strategy, voteOn, quorum == null ? 0 : quorum);
    }

    /** {@code agentSelector: {capabilities: [...], role: ...}}: at least one capability or a role. */
    AgentStage selector(StageBase base) {
        Scope here = scope.child("agentSelector");
        MappingNode map =
                stage.mapping("agentSelector", "must be a mapping like {capabilities: [draft], role: writer}");
        if (map == null) {
            return new AgentStage(base, null, null);
        }
        where.put(index, "agentSelector", scope.locate(map));
        Fields fields = new Fields(here, map).allow(SELECTOR, Set.of());
        List<String> capabilities = fields.names("capabilities", "must be a list of capability names").stream()
                .map(ScalarNode::getValue)
                .toList();
        String role = fields.text("role");
        if (capabilities.isEmpty() && role == null) {
            scope.error(map, "'agentSelector' needs 'capabilities' (a non-empty list) or 'role'");
            return new AgentStage(base, null, null);
        }
        return new AgentStage(base, null, new AgentSelector(capabilities, role));
    }

    private AggregateStrategy strategy() {
        String text = stage.text("aggregateStrategy");
        if (text == null) {
            return AggregateStrategy.ALL;
        }
        for (AggregateStrategy s : AggregateStrategy.values()) {
            if (s.yaml().equals(text)) {
                return s;
            }
        }
        scope.error(
                stage.value("aggregateStrategy"),
                "'aggregateStrategy' must be one of " + AggregateStrategy.names() + ", not '" + text + "'");
        return AggregateStrategy.ALL;
    }

    ForEachStage forEach(StageBase base) {
        Scope here = scope.child("dynamic");
        MappingNode map = stage.mapping(
                "dynamic",
                "must be a mapping like {generator: for_each, input: \"$.items\"," + " template: {agent: worker}}");
        if (map == null) {
            return new ForEachStage(
                    base, null, DEFAULT_MAX_PARALLEL, new ForEachStage.ItemTemplate(null, null, null), false);
        }
        Fields fields = new Fields(here, map).allow(DYNAMIC, Set.of());
        String generator = fields.requiredText("generator");
        if (generator != null && !generator.equals("for_each")) {
            here.error(
                    fields.value("generator"), here.field("generator") + " must be for_each, not '" + generator + "'");
        }
        String items = fields.requiredText("input");
        if (items != null) {
            where.put(index, "dynamic.input", here.locate(fields.value("input")));
        }
        Integer maxParallel = fields.integer("maxParallel", 1, Integer.MAX_VALUE, "must be an integer of at least 1");
        boolean continueOnError = Boolean.TRUE.equals(fields.bool("continueOnError"));
        return new ForEachStage(
                base,
                items,
                maxParallel == null ? DEFAULT_MAX_PARALLEL : maxParallel,
                template(fields, here, map),
                continueOnError);
    }

    private ForEachStage.ItemTemplate template(Fields dynamic, Scope dynamicScope, MappingNode dynamicMap) {
        MappingNode map =
                dynamic.mapping("template", "must be a mapping like {name: \"fix-{{ item.id }}\"," + " agent: worker}");
        if (map == null) {
            if (dynamic.value("template") == null) {
                dynamicScope.missing(dynamicMap, "template");
            }
            return new ForEachStage.ItemTemplate(null, null, null);
        }
        Scope here = dynamicScope.child("template");
        Fields fields = new Fields(here, map).allow(TEMPLATE, Set.of());
        String name = fields.text("name");
        String agent = fields.requiredText("agent");
        if (agent != null) {
            where.put(index, "dynamic.template.agent", here.locate(fields.value("agent")));
        }
        JsonNode input = fields.has("input") ? JsonValues.convert(fields.raw("input"), here.child("input")) : null;
        return new ForEachStage.ItemTemplate(name, agent, input);
    }

    ApprovalStage approval(StageBase base) {
        return new ApprovalReader(stage, scope).read(base);
    }
}
