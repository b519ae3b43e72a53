package dev.baton.pipeline.load;

import dev.baton.pipeline.AgentStage;
import dev.baton.pipeline.Compensation;
import dev.baton.pipeline.LoopStage;
import dev.baton.pipeline.RetryPolicy;
import dev.baton.pipeline.Stage;
import dev.baton.pipeline.StageBase;
import dev.baton.pipeline.validate.SourceMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads a list of stages ({@code spec.pipeline.stages}, or a loop's {@code stages}) into typed stages, recording
 * where each field was written. Each stage has exactly one kind key; {@link KindReader} reads the kind-specific
 * parts.
 */
final class StageReader {
    /** The keys that say who does a stage, in the order messages list them. */
    private static final List<String> KINDS =
            List.of("agent", "agents", "agentSelector", "approval", "dynamic", "loop");
    /** Kind keys that are reserved but not built yet (none at the moment). */
    private static final Set<String> NOT_YET = Set.of();

    private static final Set<String> STAGE = Set.of(
            "name",
            "dependsOn",
            "description",
            "input",
            "output",
            "timeout",
            "deadline",
            "retry",
            "priority",
            "condition",
            "compensate",
            "agent",
            "agents",
            "agentSelector",
            "dynamic",
            "loop",
            "approval",
            "aggregateStrategy",
            "voteOn",
            "quorum");
    private static final Set<String> PIPELINE = Set.of("stages");
    private static final Set<String> LOOP = Set.of("until", "maxIterations", "onMaxIterations", "stages");
    private static final Pattern STAGE_NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");

    private final Scope root;
    private final SourceMap where;
    /** The loop these stages belong to, or null at the top level. */
    private final String loop;

    private final List<Stage> stages = new ArrayList<>();

    private StageReader(Scope root, SourceMap where, String loop) {
        this.root = root;
        this.where = where;
        this.loop = loop;
    }

    /** The stages that have a name, in file order; nameless ones are reported and left out. */
    static List<Stage> readAll(Fields spec, Scope root, SourceMap where) {
        String rule = "spec.pipeline.stages must be a non-empty list";
        Node pipeline = spec.value("pipeline");
        if (!(pipeline instanceof MappingNode pipelineMap)) {
            root.error(pipeline == null ? spec.node() : pipeline, rule);
            return List.of();
        }
        Fields fields = new Fields(root.child("spec.pipeline"), pipelineMap).allow(PIPELINE, Set.of());
        Node list = fields.value("stages");
        if (!(list instanceof SequenceNode sequence) || sequence.getValue().isEmpty()) {
            root.error(list == null ? pipelineMap : list, rule);
            return List.of();
        }
        return new StageReader(root, where, null).list(sequence, "spec.pipeline.stages");
    }

    private List<Stage> list(SequenceNode sequence, String path) {
        List<Node> items = sequence.getValue();
        for (int i = 0; i < items.size(); i++) {
            String at = path + "[" + i + "]";
            if (items.get(i) instanceof MappingNode map) {
                stage(map, at);
            } else {
                root.error(
                        items.get(i),
                        at + " must be a mapping with a name and one of agent, agents, dynamic, loop, approval");
            }
        }
        return Collections.unmodifiableList(stages);
    }

    private void stage(MappingNode map, String path) {
        ScalarNode nameNode = peekName(map);
        String name = nameNode == null ? null : nameNode.getValue();
        Scope scope = root.stage(name == null ? null : qualified(name), path);
        Fields fields = new Fields(scope, map).allow(STAGE, NOT_YET);
        fields.requiredText("name");
        if (name != null && !STAGE_NAME.matcher(name).matches()) {
            scope.error(nameNode, "name must match " + STAGE_NAME);
        }
        List<ScalarNode> deps = fields.names("dependsOn", "must be a list of stage names");
        String kind = kind(fields, scope);
        // A nameless stage is reported and left out, so where its fields are is not kept either.
        SourceMap at = name == null ? new SourceMap() : where;
        int index = stages.size();
        StageBase base = base(fields, scope, at, index, name, deps);
        if ("dynamic".equals(kind) && fields.value("input") != null) {
            scope.error(
                    fields.keyNode("input"),
                    "a for_each stage reads its items from 'dynamic.input'; 'input' does not apply");
        }
        KindReader kinds = new KindReader(fields, scope, at, index);
        kinds.checkStrategyFields(kind);
        Stage stage = switch (kind == null ? "" : kind) {
            case "agents" -> kinds.multiAgent(base);
            case "dynamic" -> kinds.forEach(base);
            case "loop" -> loop(base, fields, scope, at, index);
            case "approval" -> kinds.approval(base);
            case "agentSelector" -> kinds.selector(base);
            // Without a usable kind the stage keeps its place, so that dependsOn on it is not reported as well.
            default -> new AgentStage(base, fields.text("agent"));
        };
        if (name != null) {
            at.put(index, "name", scope.locate(nameNode));
            stages.add(stage);
        }
    }

    private StageBase base(Fields fields, Scope scope, SourceMap at, int index, String name, List<ScalarNode> deps) {
        String input = fields.text("input");
        String output = fields.text("output");
        Duration timeout = fields.duration("timeout", true);
        RetryPolicy retry = PolicyReader.retry(fields, scope);
        Integer priority = fields.integer("priority", 0, 9, "must be an integer from 0 to 9");
        Duration deadline = fields.duration("deadline", true);
        String condition = fields.text("condition");
        Compensation compensate = PolicyReader.compensate(fields, scope, at, index);
        if (loop != null && compensate != null) {
            scope.error(
                    fields.keyNode("compensate"),
                    "a stage inside a loop cannot have 'compensate';" + " put it on the loop stage '" + loop + "'");
        }
        for (String field : List.of("agent", "input", "output", "condition")) {
            Node value = fields.value(field);
            if (value != null) {
                at.put(index, field, root.locate(value));
            }
        }
        for (int j = 0; j < deps.size(); j++) {
            at.putEntry(index, "dependsOn", j, scope.locate(deps.get(j)));
        }
        List<String> dependsOn = deps.stream().map(ScalarNode::getValue).toList();
        return new StageBase(
                name,
                dependsOn,
                input,
                output,
                timeout,
                retry,
                priority,
                deadline,
                condition,
                compensate,
                scope.locate(fields.node()));
    }

    /** The one kind key of the stage, or null after reporting that there is none or more than one. */
    private String kind(Fields fields, Scope scope) {
        List<String> present = KINDS.stream().filter(fields::has).toList();
        if (present.isEmpty()) {
            scope.error(
                    fields.node(),
                    loop == null
                            ? "stage needs one of 'agent', 'agents', 'dynamic', 'loop' or 'approval'"
                            : "stage needs 'agent', 'agents' or 'dynamic'");
            return null;
        }
        if (present.size() > 1) {
            scope.error(
                    fields.keyNode(present.get(1)),
                    "stage has both '" + present.get(0) + "' and '" + present.get(1)
                            + "'; a stage takes exactly one of " + String.join(", ", KINDS));
            return null;
        }
        String kind = present.get(0);
        if (loop != null && !kind.equals("agent") && !kind.equals("agents") && !kind.equals("dynamic")) {
            scope.error(
                    fields.keyNode(kind),
                    "a stage inside a loop takes 'agent', 'agents' or 'dynamic', not '" + kind + "'");
            return null;
        }
        return NOT_YET.contains(kind) ? null : kind;
    }

    private Stage loop(StageBase base, Fields stage, Scope scope, SourceMap at, int index) {
        Scope here = scope.child("loop");
        MappingNode map = stage.mapping(
                "loop", "must be a mapping like {until: 'score >= 0.9', maxIterations: 5," + " stages: [...]}");
        if (map == null) {
            return new LoopStage(base, null, 1, false, List.of());
        }
        Fields fields = new Fields(here, map).allow(LOOP, Set.of());
        String until = fields.requiredText("until");
        if (fields.value("until") != null) {
            at.put(index, "loop.until", here.locate(fields.value("until")));
        }
        Integer max = fields.integer("maxIterations", 1, Integer.MAX_VALUE, "must be an integer of at least 1");
        if (fields.value("maxIterations") == null) {
            here.missing(map, "maxIterations");
        }
        boolean continueAtMax = PolicyReader.choice(fields, here, "onMaxIterations", List.of("fail", "continue"))
                .equals("continue");
        List<Stage> inner = List.of();
        Node list = fields.value("stages");
        if (list instanceof SequenceNode sequence && !sequence.getValue().isEmpty()) {
            StageReader body =
                    new StageReader(root, at.body(index), base.name() == null ? "stages[" + index + "]" : base.name());
            inner = body.list(sequence, "spec.pipeline.stages[" + index + "].loop.stages");
        } else {
            here.error(list == null ? map : list, here.field("stages") + " must be a non-empty list of stages");
        }
        return new LoopStage(base, until, max == null ? 1 : max, continueAtMax, inner);
    }

    private String qualified(String name) {
        return loop == null ? name : loop + "/" + name;
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
}
