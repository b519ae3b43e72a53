package dev.baton.pipeline.validate;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Strongly connected components of a dependsOn graph (Tarjan), without recursion so that a long chain of stages
 * cannot overflow the stack.
 */
final class Components {
    private final Map<String, List<String>> deps;
    private final Map<String, Integer> position = new HashMap<>();
    private final Map<String, Integer> index = new HashMap<>();
    private final Map<String, Integer> low = new HashMap<>();
    private final Deque<String> stack = new ArrayDeque<>();
    private final Set<String> onStack = new HashSet<>();
    private final List<Set<String>> found = new ArrayList<>();

    private record Frame(String node, Iterator<String> next) {}

    Components(Map<String, List<String>> deps) {
        this.deps = deps;
        deps.keySet().forEach(name -> position.put(name, position.size()));
    }

    /** Every component, its members in the graph's iteration (file) order. */
    List<Set<String>> find() {
        for (String start : deps.keySet()) {
            if (!index.containsKey(start)) {
                walk(start);
            }
        }
        return found;
    }

    private void walk(String start) {
        Deque<Frame> frames = new ArrayDeque<>();
        frames.push(enter(start));
        while (!frames.isEmpty()) {
            Frame frame = frames.peek();
            if (frame.next().hasNext()) {
                String dep = frame.next().next();
                if (!index.containsKey(dep)) {
                    frames.push(enter(dep));
                } else if (onStack.contains(dep)) {
                    low.merge(frame.node(), index.get(dep), Math::min);
                }
                continue;
            }
            frames.pop();
            if (!frames.isEmpty()) {
                low.merge(frames.peek().node(), low.get(frame.node()), Math::min);
            }
            if (low.get(frame.node()).equals(index.get(frame.node()))) {
                collect(frame.node());
            }
        }
    }

    private Frame enter(String node) {
        index.put(node, index.size());
        low.put(node, index.get(node));
        stack.push(node);
        onStack.add(node);
        return new Frame(node, deps.get(node).iterator());
    }

    private void collect(String root) {
        List<String> members = new ArrayList<>();
        String member;
        do {
            member = stack.pop();
            onStack.remove(member);
            members.add(member);
        } while (!member.equals(root));
        members.sort(Comparator.comparing(position::get));
        found.add(new LinkedHashSet<>(members));
    }
}
