package dev.baton.pipeline.load;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.pipeline.AgentSelector;
import dev.baton.pipeline.AgentStage;
import dev.baton.pipeline.AggregateStrategy;
import dev.baton.pipeline.ApprovalStage;
import dev.baton.pipeline.Backoff;
import dev.baton.pipeline.Compensation;
import dev.baton.pipeline.Durations;
import dev.baton.pipeline.ForEachStage;
import dev.baton.pipeline.MultiAgentStage;
import dev.baton.pipeline.RetryPolicy;
import dev.baton.pipeline.StageBase;
import dev.baton.pipeline.validate.SourceMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/** Reads the parts of a stage that depend on its kind (agents, dynamic) and the policies every kind may carry. */
final class KindReader {
    static final int DEFAULT_MAX_PARALLEL = 10;
    private static final List<String> STRATEGY_FIELDS = List.of("aggregateStrategy", "voteOn", "quorum");
    private static final Set<String> DYNAMIC =
            Set.of("generator", "input", "maxParallel", "template", "continueOnError");
    private static final Set<String> SELECTOR = Set.of("capabilities", "role");
    private static final Set<String> TEMPLATE = Set.of("name", "agent", "input");
    /** Matches what a decision's approver may be (DecisionRequest): 1 to 100 characters, trimmed. */
    private static final int MAX_APPROVER = 100;

    private static final java.util.regex.Pattern APPROVER = java.util.regex.Pattern.compile("\\S(.{0,98}\\S)?");
    private static final Set<String> APPROVAL = Set.of("approvers", "policy", "quorum", "timeout", "onTimeout");
    private static final Set<String> COMPENSATE = Set.of("agent", "input", "retry", "timeout");
    private static final Set<String> RETRY = Set.of("maxAttempts", "backoff", "initialDelay", "maxDelay", "jitter");
    private static final Duration DEFAULT_INITIAL_DELAY = Duration.ofSeconds(1);
    private static final Duration DEFAULT_MAX_DELAY = Duration.ofMinutes(1);

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
        for (String key : List.of("retry", "timeout", "deadline", "priority")) {
            if (stage.has(key)) {
                scope.error(
                        stage.keyNode(key),
                        "'" + key + "' does not apply to an approval stage"
                                + (key.equals("timeout") ? "; use 'approval.timeout'" : ""));
            }
        }
        Scope here = scope.child("approval");
        MappingNode map = stage.mapping(
                "approval",
                "must be a mapping like {approvers: [alice, bob], policy: any," + " timeout: 1h, onTimeout: reject}");
        if (map == null) {
            return new ApprovalStage(base, List.of(), ApprovalStage.Policy.ANY, 1, null, false);
        }
        Fields fields = new Fields(here, map).allow(APPROVAL, Set.of());
        List<ScalarNode> names = fields.names("approvers", "must be a list of names");
        for (ScalarNode n : names) {
            if (!APPROVER.matcher(n.getValue()).matches()) {
                here.error(
                        n,
                        here.field("approvers") + " entry '" + n.getValue() + "' must be 1 to " + MAX_APPROVER
                                + " characters without spaces at either end");
            }
        }
        if (names.isEmpty() && fields.value("approvers") instanceof org.snakeyaml.engine.v2.nodes.SequenceNode) {
            here.error(
                    fields.value("approvers"),
                    here.field("approvers") + " must list at least one name; leave it out to let anyone decide");
        }
        List<String> approvers = distinct(names, "approval.approvers");
        ApprovalStage.Policy policy = ApprovalStage.Policy.valueOf(
                choice(fields, here, "policy", List.of("any", "all", "quorum")).toUpperCase(Locale.ROOT));
        Integer quorum = fields.integer("quorum", 1, Integer.MAX_VALUE, "must be an integer of at least 1");
        if (fields.has("quorum") && policy != ApprovalStage.Policy.QUORUM) {
            here.error(
                    fields.keyNode("quorum"),
                    here.field("quorum") + " applies only to policy quorum, not " + policy.yaml());
        } else if (policy == ApprovalStage.Policy.QUORUM && fields.value("quorum") == null) {
            here.missing(map, "quorum");
        } else if (quorum != null && !approvers.isEmpty() && quorum > approvers.size()) {
            here.error(
                    fields.value("quorum"),
                    here.field("quorum") + " (" + quorum + ") must not be more than the number of approvers ("
                            + approvers.size() + ")");
        }
        if (policy == ApprovalStage.Policy.ALL && approvers.isEmpty()) {
            here.error(fields.value("policy"), "policy all needs " + here.field("approvers"));
        }
        Duration timeout = fields.duration("timeout", true);
        boolean approveOnTimeout =
                choice(fields, here, "onTimeout", List.of("reject", "approve")).equals("approve");
        if (fields.has("onTimeout") && fields.value("timeout") == null) {
            here.error(fields.keyNode("onTimeout"), here.field("onTimeout") + " needs " + here.field("timeout"));
        }
        return new ApprovalStage(base, approvers, policy, quorum == null ? 1 : quorum, timeout, approveOnTimeout);
    }

    /** The names, each once; a repeated one is reported. */
    private List<String> distinct(List<ScalarNode> nodes, String field) {
        List<String> names = new ArrayList<>();
        for (ScalarNode node : nodes) {
            if (names.contains(node.getValue())) {
                scope.error(node, "'" + field + "' lists '" + node.getValue() + "' more than once");
            } else {
                names.add(node.getValue());
            }
        }
        return List.copyOf(names);
    }

    /** The stage's {@code compensate}, or null when it has none or it is broken (which is reported). */
    static Compensation compensate(Fields stage, Scope scope, SourceMap where, int index) {
        MappingNode map =
                stage.mapping("compensate", "must be a mapping like {agent: canceller, input: \"$.booking\"}");
        if (map == null) {
            return null;
        }
        Scope here = scope.child("compensate");
        Fields fields = new Fields(here, map).allow(COMPENSATE, Set.of());
        String agent = fields.requiredText("agent");
        String input = fields.text("input");
        for (String field : List.of("agent", "input")) {
            Node value = fields.value(field);
            if (value != null) {
                where.put(index, "compensate." + field, here.locate(value));
            }
        }
        Duration timeout = fields.duration("timeout", true);
        // Absent retry and timeout are null: the compensation then uses the stage's own.
        RetryPolicy retry = fields.has("retry") ? retry(fields, here) : null;
        return agent == null ? null : new Compensation(agent, input, retry, timeout);
    }

    /** The {@code retry} of a stage or of a compensation; NONE when absent. */
    static RetryPolicy retry(Fields owner, Scope ownerScope) {
        MappingNode map = owner.mapping("retry", "must be a mapping like {maxAttempts: 3, backoff: exponential}");
        if (map == null) {
            return RetryPolicy.NONE;
        }
        Scope here = ownerScope.child("retry");
        Fields fields = new Fields(here, map).allow(RETRY, Set.of());
        Integer maxAttempts = fields.integer("maxAttempts", 1, Integer.MAX_VALUE, "must be an integer of at least 1");
        if (fields.value("maxAttempts") == null) {
            here.missing(map, "maxAttempts");
        }
        Backoff backoff = Backoff.valueOf(
                choice(fields, here, "backoff", List.of("exponential", "fixed")).toUpperCase(Locale.ROOT));
        Duration initial = fields.duration("initialDelay", false);
        Duration max = fields.duration("maxDelay", false);
        Duration initialDelay = initial == null ? DEFAULT_INITIAL_DELAY : initial;
        Duration maxDelay = max == null ? DEFAULT_MAX_DELAY : max;
        if (initialDelay.compareTo(maxDelay) > 0 && (initial != null || max != null)) {
            Node at = fields.value(initial != null ? "initialDelay" : "maxDelay");
            here.error(
                    at,
                    here.field("initialDelay") + " (" + Durations.format(initialDelay)
                            + ") must not be longer than " + here.field("maxDelay") + " ("
                            + Durations.format(maxDelay) + ")");
        }
        Double jitter = fields.fraction("jitter");
        return new RetryPolicy(
                maxAttempts == null ? 1 : maxAttempts, backoff, initialDelay, maxDelay, jitter == null ? 0 : jitter);
    }

    /** One of {@code options} (the first is the default); anything else is reported and read as the default. */
    static String choice(Fields fields, Scope here, String key, List<String> options) {
        String text = fields.text(key);
        if (text == null || options.contains(text)) {
            return text == null ? options.get(0) : text;
        }
        String allowed =
                String.join(", ", options.subList(0, options.size() - 1)) + " or " + options.get(options.size() - 1);
        here.error(fields.value(key), here.field(key) + " must be " + allowed + ", not '" + text + "'");
        return options.get(0);
    }
}
