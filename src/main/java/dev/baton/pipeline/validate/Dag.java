package dev.baton.pipeline.validate;

import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.Stage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The {@code dependsOn} graph of a pipeline: run order, waves of stages that may run together, and cycles.
 *
 * <p>Names that are not stages, self-dependencies and later stages with a name already taken are left out of the
 * graph; the validator reports those, and this class stays usable on a partly broken model.
 */
public final class Dag {
    private Dag() {}

    /**
     * Every stage after all it depends on; among stages that are free to go, file order wins.
     *
     * @throws IllegalArgumentException when dependsOn forms a cycle
     */
    public static List<String> topologicalOrder(Pipeline pipeline) {
        Map<String, List<String>> deps = graph(pipeline);
        Map<String, Integer> position = positions(deps);
        Map<String, List<String>> dependents = invert(deps);
        Map<String, Integer> waiting = new HashMap<>();
        PriorityQueue<String> ready = new PriorityQueue<>((a, b) -> position.get(a) - position.get(b));
        deps.forEach((name, on) -> {
            waiting.put(name, on.size());
            if (on.isEmpty()) {
                ready.add(name);
            }
        });
        List<String> order = new ArrayList<>(deps.size());
        while (!ready.isEmpty()) {
            String next = ready.poll();
            order.add(next);
            for (String dependent : dependents.get(next)) {
                if (waiting.merge(dependent, -1, Integer::sum) == 0) {
                    ready.add(dependent);
                }
            }
        }
        requireAcyclic(pipeline, order.size() == deps.size());
        return List.copyOf(order);
    }

    /**
     * Wave k holds the stages whose dependencies are all in earlier waves, in file order.
     *
     * @throws IllegalArgumentException when dependsOn forms a cycle
     */
    public static List<List<String>> waves(Pipeline pipeline) {
        Map<String, List<String>> deps = graph(pipeline);
        Map<String, Integer> wave = new HashMap<>();
        for (String name : topologicalOrder(pipeline)) {
            int after = deps.get(name).stream().mapToInt(wave::get).max().orElse(-1);
            wave.put(name, after + 1);
        }
        List<List<String>> waves = new ArrayList<>();
        for (String name : deps.keySet()) {
            int k = wave.get(name);
            while (waves.size() <= k) {
                waves.add(new ArrayList<>());
            }
            waves.get(k).add(name);
        }
        return waves.stream().map(List::copyOf).toList();
    }

    /** For every stage, in file order, the stages that depend on it directly, in file order. */
    public static Map<String, List<String>> dependents(Pipeline pipeline) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        invert(graph(pipeline)).forEach((name, list) -> out.put(name, List.copyOf(list)));
        return Collections.unmodifiableMap(out);
    }

    /**
     * One cycle per group of stages that reach each other through dependsOn, as the path that starts at the group's
     * first stage in file order and follows dependsOn ({@code [a, b, c]} means a depends on b, b on c, c on a).
     * Groups are in file order of their first stage; the list is empty for a DAG.
     */
    public static List<List<String>> cycles(Pipeline pipeline) {
        return cycles(pipeline.stages());
    }

    /** The cycles of a list of stages that depend on each other, such as a loop's body; see {@link #cycles}. */
    public static List<List<String>> cycles(List<Stage> stages) {
        Map<String, List<String>> deps = graph(stages);
        List<List<String>> cycles = new ArrayList<>();
        for (Set<String> group : new Components(deps).find()) {
            if (group.size() > 1) {
                cycles.add(shortestCycle(deps, group));
            }
        }
        Map<String, Integer> position = positions(deps);
        cycles.sort((a, b) -> position.get(a.get(0)) - position.get(b.get(0)));
        return List.copyOf(cycles);
    }

    static Map<String, List<String>> graph(Pipeline pipeline) {
        return graph(pipeline.stages());
    }

    static Map<String, List<String>> graph(List<Stage> stages) {
        Set<String> names = new HashSet<>();
        for (Stage stage : stages) {
            names.add(stage.name());
        }
        Map<String, List<String>> deps = new LinkedHashMap<>();
        for (Stage stage : stages) {
            if (deps.containsKey(stage.name())) {
                continue;
            }
            Set<String> on = new LinkedHashSet<>();
            for (String dep : stage.dependsOn()) {
                if (names.contains(dep) && !dep.equals(stage.name())) {
                    on.add(dep);
                }
            }
            deps.put(stage.name(), List.copyOf(on));
        }
        return deps;
    }

    private static Map<String, List<String>> invert(Map<String, List<String>> deps) {
        Map<String, List<String>> dependents = new LinkedHashMap<>();
        deps.keySet().forEach(name -> dependents.put(name, new ArrayList<>()));
        deps.forEach((name, on) -> on.forEach(dep -> dependents.get(dep).add(name)));
        return dependents;
    }

    private static Map<String, Integer> positions(Map<String, List<String>> deps) {
        Map<String, Integer> position = new HashMap<>();
        for (String name : deps.keySet()) {
            position.put(name, position.size());
        }
        return position;
    }

    /** Breadth-first from the group's first stage, so the reported cycle is as short as it can be. */
    private static List<String> shortestCycle(Map<String, List<String>> deps, Set<String> group) {
        String start = group.iterator().next();
        Map<String, String> cameFrom = new HashMap<>();
        Deque<String> queue = new ArrayDeque<>(List.of(start));
        while (!queue.isEmpty()) {
            String at = queue.poll();
            for (String dep : deps.get(at)) {
                if (dep.equals(start)) {
                    List<String> path = new ArrayList<>();
                    for (String s = at; s != null; s = cameFrom.get(s)) {
                        path.add(0, s);
                    }
                    return path;
                }
                if (group.contains(dep) && !cameFrom.containsKey(dep)) {
                    cameFrom.put(dep, at);
                    queue.add(dep);
                }
            }
        }
        throw new IllegalStateException("no cycle through " + start + " in " + group);
    }

    private static void requireAcyclic(Pipeline pipeline, boolean acyclic) {
        if (!acyclic) {
            List<String> cycle = cycles(pipeline).get(0);
            throw new IllegalArgumentException(
                    "dependsOn forms a cycle: " + String.join(" -> ", cycle) + " -> " + cycle.get(0));
        }
    }
}
