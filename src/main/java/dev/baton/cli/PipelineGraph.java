package dev.baton.cli;

import dev.baton.pipeline.AgentStage;
import dev.baton.pipeline.ApprovalStage;
import dev.baton.pipeline.ForEachStage;
import dev.baton.pipeline.LoopStage;
import dev.baton.pipeline.MultiAgentStage;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.Stage;
import dev.baton.pipeline.StageVisitor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pipeline drawn as boxes and arrows, before it is written in a notation ({@link MermaidWriter}, {@link DotWriter}).
 *
 * <p>Every element has a key that is unique in the whole drawing: a stage's name, {@code loop/inner} for a stage in a
 * loop, {@code if <stage>} for the diamond that guards a stage with a condition and {@code compensate <stage>} for its
 * compensation. Writers turn keys into identifiers of their notation; labels are plain text, one line per entry, and
 * each writer escapes them.
 */
record PipelineGraph(String title, List<Element> elements, List<Edge> edges) {

    /** What a node stands for; each writer gives every shape its own look. */
    enum Shape {
        AGENT,
        AGENTS,
        FOR_EACH,
        APPROVAL,
        CONDITION,
        COMPENSATION,
        EMPTY
    }

    /** A node or a loop's cluster. */
    sealed interface Element permits Node, Cluster {
        String key();
    }

    record Node(String key, Shape shape, List<String> lines) implements Element {}

    /**
     * A loop: its inner elements and edges. An edge that ends at the cluster enters it at {@code entry}; one that
     * starts at it leaves from {@code exit} (keys of inner elements, for notations that only link nodes).
     */
    record Cluster(String key, List<String> lines, List<Element> elements, List<Edge> edges, String entry, String exit)
            implements Element {}

    /** A dependency (solid) or a compensation (dashed). */
    record Edge(String from, String to, boolean dashed) {}

    /** Draws every stage of the pipeline, loops with their inner stages, in file order. */
    static PipelineGraph of(Pipeline pipeline) {
        Builder builder = new Builder();
        Level top = builder.level("", pipeline.stages());
        return new PipelineGraph(pipeline.name(), List.copyOf(top.elements), List.copyOf(top.edges));
    }

    /** The elements and edges of one level (the pipeline, or the inside of one loop) and where it starts and ends. */
    private static final class Level {
        final List<Element> elements = new ArrayList<>();
        final List<Edge> edges = new ArrayList<>();
        /** Where the first stage that waits for nothing is entered (its diamond, if it has a condition). */
        String entry;
        /** The last stage that nothing waits for. */
        String exit;
    }

    private static final class Builder {
        private final Set<String> taken = new HashSet<>();

        /** Draws the stages of one level; {@code prefix} is the enclosing loop's key and a slash, or empty. */
        Level level(String prefix, List<Stage> stages) {
            Level level = new Level();
            Map<String, String> keys = new HashMap<>();
            Map<Stage, String> guards = new IdentityHashMap<>();
            Map<Stage, String> undos = new IdentityHashMap<>();
            for (Stage stage : stages) {
                String key = unique(prefix + stage.name());
                keys.putIfAbsent(stage.name(), key);
                if (stage.base().condition() != null) {
                    guards.put(stage, unique("if " + key));
                    level.elements.add(new Node(
                            guards.get(stage),
                            Shape.CONDITION,
                            List.of("if " + stage.base().condition())));
                }
                level.elements.add(element(key, stage));
                if (stage.base().compensate() != null) {
                    undos.put(stage, unique("compensate " + key));
                    level.elements.add(new Node(
                            undos.get(stage),
                            Shape.COMPENSATION,
                            List.of(
                                    "compensate " + stage.name(),
                                    "agent " + stage.base().compensate().agent())));
                }
            }
            Set<String> awaited = new HashSet<>();
            for (Stage stage : stages) {
                String key = keys.get(stage.name());
                String entry = guards.getOrDefault(stage, key);
                boolean waits = false;
                for (String dep : stage.dependsOn()) {
                    if (keys.containsKey(dep) && !dep.equals(stage.name())) {
                        level.edges.add(new Edge(keys.get(dep), entry, false));
                        awaited.add(dep);
                        waits = true;
                    }
                }
                if (guards.containsKey(stage)) {
                    level.edges.add(new Edge(entry, key, false));
                }
                if (undos.containsKey(stage)) {
                    level.edges.add(new Edge(key, undos.get(stage), true));
                }
                if (!waits && level.entry == null) {
                    level.entry = entry;
                }
            }
            for (Stage stage : stages) {
                if (!awaited.contains(stage.name())) {
                    level.exit = keys.get(stage.name());
                }
            }
            return level;
        }

        private Element element(String key, Stage stage) {
            return stage.accept(new StageVisitor<>() {
                @Override
                public Element agent(AgentStage s) {
                    return new Node(
                            key,
                            Shape.AGENT,
                            List.of(
                                    s.name(),
                                    s.selector() == null ? "agent " + s.agent() : "agentSelector " + s.selector()));
                }

                @Override
                public Element multiAgent(MultiAgentStage s) {
                    return new Node(
                            key,
                            Shape.AGENTS,
                            List.of(s.name(), "agents " + String.join(", ", s.agents()), StageSummary.aggregation(s)));
                }

                @Override
                public Element forEach(ForEachStage s) {
                    List<String> lines = new ArrayList<>(List.of(
                            s.name(),
                            "for_each over " + s.items() + (s.maxParallel() > 0 ? " ×" + s.maxParallel() : ""),
                            "agent " + s.template().agent()));
                    if (s.continueOnError()) {
                        lines.add("continue on error");
                    }
                    return new Node(key, Shape.FOR_EACH, List.copyOf(lines));
                }

                @Override
                public Element loop(LoopStage s) {
                    return cluster(key, s);
                }

                @Override
                public Element approval(ApprovalStage s) {
                    return new Node(key, Shape.APPROVAL, List.of(s.name(), StageSummary.approval(s)));
                }
            });
        }

        private Cluster cluster(String key, LoopStage loop) {
            List<String> lines = List.of(loop.name(), "loop until " + loop.until(), StageSummary.iterations(loop));
            Level inside = level(key + "/", loop.stages());
            if (inside.entry == null || inside.exit == null) {
                // Only a broken model gets here (no stages, or inner stages that all wait for each other); the
                // placeholder keeps the drawing valid so that it can show what is there.
                String why = loop.stages().isEmpty() ? "no stages" : "no start";
                Node empty = new Node(unique(key + "/"), Shape.EMPTY, List.of(why));
                inside.elements.add(empty);
                inside.entry = inside.entry == null ? empty.key() : inside.entry;
                inside.exit = inside.exit == null ? empty.key() : inside.exit;
            }
            return new Cluster(
                    key, lines, List.copyOf(inside.elements), List.copyOf(inside.edges), inside.entry, inside.exit);
        }

        /** The wanted key, or, when a strangely named stage already took it, the wanted key with a number. */
        private String unique(String wanted) {
            String key = wanted;
            for (int n = 2; !taken.add(key); n++) {
                key = wanted + "~" + n;
            }
            return key;
        }
    }
}
