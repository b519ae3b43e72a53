package dev.baton.pipeline.load;

import dev.baton.pipeline.AgentStage;
import dev.baton.pipeline.Backoff;
import dev.baton.pipeline.Durations;
import dev.baton.pipeline.Location;
import dev.baton.pipeline.RetryPolicy;
import dev.baton.pipeline.Stage;
import dev.baton.pipeline.StageBase;
import dev.baton.pipeline.validate.SourceMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/** Reads {@code spec.pipeline.stages} into typed stages, recording where each field was written. */
final class StageReader {
    static final int DEFAULT_PRIORITY = 4;
    private static final Set<String> PIPELINE = Set.of("stages");
    private static final Set<String> STAGE = Set.of(
            "name", "dependsOn", "agent", "input", "output", "timeout", "retry", "priority", "description");
    // The other ways to say who does a stage; each will be a Stage record of its own.
    private static final Set<String> KINDS_NOT_YET = Set.of("agents", "agentSelector", "approval", "dynamic", "loop");
    private static final Set<String> NOT_YET = union(
            KINDS_NOT_YET, Set.of("condition", "compensate", "aggregateStrategy", "voteOn", "quorum"));
    private static final Set<String> RETRY = Set.of("maxAttempts", "backoff", "initialDelay", "maxDelay");
    private static final Pattern STAGE_NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");
    private static final Duration DEFAULT_INITIAL_DELAY = Duration.ofSeconds(1);
    private static final Duration DEFAULT_MAX_DELAY = Duration.ofMinutes(1);

    private final Scope root;
    private final SourceMap where;
    private final List<Stage> stages = new ArrayList<>();

    private StageReader(Scope root, SourceMap where) {
        this.root = root;
        this.where = where;
    }

    /** The stages that have a name, in file order; nameless ones are reported and left out. */
    static List<Stage> readAll(Fields spec, Scope root, SourceMap where) {
        StageReader reader = new StageReader(root, where);
        reader.list(spec);
        return Collections.unmodifiableList(reader.stages);
    }

    private void list(Fields spec) {
        String rule = "spec.pipeline.stages must be a non-empty list";
        Node pipeline = spec.value("pipeline");
        if (!(pipeline instanceof MappingNode pipelineMap)) {
            root.error(pipeline == null ? spec.node() : pipeline, rule);
            return;
        }
        Fields fields = new Fields(root.child("spec.pipeline"), pipelineMap).allow(PIPELINE, Set.of());
        Node list = fields.value("stages");
        if (!(list instanceof SequenceNode sequence) || sequence.getValue().isEmpty()) {
            root.error(list == null ? pipelineMap : list, rule);
            return;
        }
        List<Node> items = sequence.getValue();
        for (int i = 0; i < items.size(); i++) {
            String path = "spec.pipeline.stages[" + i + "]";
            if (items.get(i) instanceof MappingNode map) {
                stage(map, path);
            } else {
                root.error(items.get(i), path + " must be a mapping with name and agent");
            }
        }
    }

    private void stage(MappingNode map, String path) {
        ScalarNode nameNode = peekName(map);
        String name = nameNode == null ? null : nameNode.getValue();
        Scope scope = root.stage(name, path);
        Fields fields = new Fields(scope, map).allow(STAGE, NOT_YET);
        fields.requiredText("name");
        if (name != null && !STAGE_NAME.matcher(name).matches()) {
            scope.error(nameNode, "name must match " + STAGE_NAME);
        }
        List<ScalarNode> deps = fields.names("dependsOn", "must be a list of stage names");
        String agent = fields.text("agent");
        if (fields.value("agent") == null && Collections.disjoint(fields.keys(), KINDS_NOT_YET)) {
            scope.missing(map, "agent");
        }
        String input = fields.text("input");
        String output = fields.text("output");
        Duration timeout = fields.duration("timeout", true);
        RetryPolicy retry = retry(fields, scope);
        Integer priority = fields.integer("priority", 0, 9, "must be an integer from 0 to 9");
        if (name == null) {
            return;
        }
        int index = stages.size();
        where.put(index, "name", scope.locate(nameNode));
        remember(index, "agent", fields);
        remember(index, "input", fields);
        remember(index, "output", fields);
        for (int j = 0; j < deps.size(); j++) {
            where.putEntry(index, "dependsOn", j, scope.locate(deps.get(j)));
        }
        List<String> dependsOn = deps.stream().map(ScalarNode::getValue).toList();
        Location at = scope.locate(map);
        int p = priority == null ? DEFAULT_PRIORITY : priority;
        stages.add(new AgentStage(new StageBase(name, dependsOn, input, output, timeout, retry, p, null, null, at), agent));
    }

    private RetryPolicy retry(Fields stage, Scope scope) {
        MappingNode map = stage.mapping("retry", "must be a mapping like {maxAttempts: 3, backoff: exponential}");
        if (map == null) {
            return RetryPolicy.NONE;
        }
        Scope here = scope.child("retry");
        Fields fields = new Fields(here, map).allow(RETRY, Set.of());
        Integer maxAttempts =
                fields.integer("maxAttempts", 1, Integer.MAX_VALUE, "must be an integer of at least 1");
        if (fields.value("maxAttempts") == null) {
            here.missing(map, "maxAttempts");
        }
        Backoff backoff = backoff(fields, here);
        Duration initial = fields.duration("initialDelay", false);
        Duration max = fields.duration("maxDelay", false);
        Duration initialDelay = initial == null ? DEFAULT_INITIAL_DELAY : initial;
        Duration maxDelay = max == null ? DEFAULT_MAX_DELAY : max;
        if (initialDelay.compareTo(maxDelay) > 0 && (initial != null || max != null)) {
            Node at = fields.value(initial != null ? "initialDelay" : "maxDelay");
            here.error(at, here.field("initialDelay") + " (" + Durations.format(initialDelay)
                    + ") must not be longer than " + here.field("maxDelay") + " ("
                    + Durations.format(maxDelay) + ")");
        }
        return new RetryPolicy(maxAttempts == null ? 1 : maxAttempts, backoff, initialDelay, maxDelay, 0);
    }

    private static Backoff backoff(Fields fields, Scope here) {
        String text = fields.text("backoff");
        if (text == null || text.equals("exponential")) {
            return Backoff.EXPONENTIAL;
        }
        if (text.equals("fixed")) {
            return Backoff.FIXED;
        }
        here.error(fields.value("backoff"), here.field("backoff") + " must be fixed or exponential, not '" + text + "'");
        return Backoff.EXPONENTIAL;
    }

    private void remember(int index, String field, Fields fields) {
        Node value = fields.value(field);
        if (value != null) {
            where.put(index, field, root.locate(value));
        }
    }

    /** The stage's name, read before anything else so that every other violation can name the stage. */
    private static ScalarNode peekName(MappingNode map) {
        for (NodeTuple entry : map.getValue()) {
            if (entry.getKeyNode() instanceof ScalarNode key && key.getValue().equals("name")) {
                return entry.getValueNode() instanceof ScalarNode value && !Fields.isNull(value) ? value : null;
            }
        }
        return null;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }
}
