package dev.baton.cli;

import dev.baton.cli.PipelineGraph.Cluster;
import dev.baton.cli.PipelineGraph.Edge;
import dev.baton.cli.PipelineGraph.Element;
import dev.baton.cli.PipelineGraph.Node;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Writes a {@link PipelineGraph} in Graphviz DOT ({@code digraph}); loops become clusters. */
final class DotWriter {
    private final Map<String, Cluster> clusters = new HashMap<>();
    private final StringBuilder out = new StringBuilder();

    private DotWriter() {}

    static String write(PipelineGraph graph) {
        DotWriter w = new DotWriter();
        w.collect(graph.elements());
        w.out.append("digraph ").append(quote(graph.title())).append(" {\n");
        w.out.append("    compound=true;\n");
        w.out.append("    node [shape=box];\n");
        w.body(graph.elements(), graph.edges(), "    ");
        w.out.append("}\n");
        return w.out.toString();
    }

    private void collect(List<Element> elements) {
        for (Element e : elements) {
            if (e instanceof Cluster c) {
                clusters.put(c.key(), c);
                collect(c.elements());
            }
        }
    }

    private void body(List<Element> elements, List<Edge> edges, String indent) {
        for (Element e : elements) {
            if (e instanceof Node n) {
                out.append(indent)
                        .append(quote(n.key()))
                        .append(" [label=")
                        .append(label(n.lines()))
                        .append(attributes(n))
                        .append("];\n");
            } else if (e instanceof Cluster c) {
                out.append(indent).append("subgraph ").append(quote(cluster(c))).append(" {\n");
                out.append(indent).append("    label=").append(label(c.lines())).append(";\n");
                out.append(indent).append("    style=rounded;\n");
                body(c.elements(), c.edges(), indent + "    ");
                out.append(indent).append("}\n");
            }
        }
        for (Edge e : edges) {
            out.append(indent).append(edge(e)).append(";\n");
        }
    }

    private static String attributes(Node n) {
        return switch (n.shape()) {
            case AGENT -> "";
            case AGENTS -> ", peripheries=2";
            case FOR_EACH -> ", shape=box3d";
            case APPROVAL -> ", shape=hexagon";
            case CONDITION -> ", shape=diamond";
            case COMPENSATION -> ", style=\"rounded,dashed\"";
            case EMPTY -> ", shape=plaintext";
        };
    }

    /**
     * DOT links nodes only: an edge to or from a loop is drawn to its first or from its last stage and clipped at the
     * loop's box.
     */
    private String edge(Edge e) {
        StringBuilder attrs = new StringBuilder();
        String from = e.from();
        if (clusters.containsKey(from)) {
            attrs.append(", ltail=").append(quote(cluster(clusters.get(from))));
            from = exit(from);
        }
        String to = e.to();
        if (clusters.containsKey(to)) {
            attrs.append(", lhead=").append(quote(cluster(clusters.get(to))));
            to = entry(to);
        }
        if (e.dashed()) {
            attrs.append(", style=dashed");
        }
        String edge = quote(from) + " -> " + quote(to);
        return attrs.isEmpty() ? edge : edge + " [" + attrs.substring(2) + "]";
    }

    private String entry(String key) {
        return clusters.containsKey(key) ? entry(clusters.get(key).entry()) : key;
    }

    private String exit(String key) {
        return clusters.containsKey(key) ? exit(clusters.get(key).exit()) : key;
    }

    /** Graphviz draws a subgraph as a box only when its name starts with "cluster". */
    private static String cluster(Cluster c) {
        return "cluster_" + c.key();
    }

    /** A quoted label, lines joined by DOT's centred line break. */
    private static String label(List<String> lines) {
        StringBuilder s = new StringBuilder("\"");
        for (int i = 0; i < lines.size(); i++) {
            s.append(i == 0 ? "" : "\\n").append(escaped(lines.get(i)));
        }
        return s.append('"').toString();
    }

    static String quote(String text) {
        return "\"" + escaped(text) + "\"";
    }

    /** Inside a DOT string only the quote and the backslash (which starts {@code \n}, {@code \N}, ...) are special. */
    private static String escaped(String text) {
        StringBuilder s = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                default -> s.append(Character.isISOControl(c) ? ' ' : c);
            }
        }
        return s.toString();
    }
}
