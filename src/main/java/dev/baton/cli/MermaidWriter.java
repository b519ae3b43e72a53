package dev.baton.cli;

import dev.baton.cli.PipelineGraph.Cluster;
import dev.baton.cli.PipelineGraph.Edge;
import dev.baton.cli.PipelineGraph.Element;
import dev.baton.cli.PipelineGraph.Node;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Writes a {@link PipelineGraph} as a Mermaid flowchart ({@code flowchart TD}); loops become subgraphs. */
final class MermaidWriter {
    private final Map<String, String> ids = new HashMap<>();
    private final Set<String> taken = new HashSet<>();
    private final StringBuilder out = new StringBuilder();

    private MermaidWriter() {}

    static String write(PipelineGraph graph) {
        MermaidWriter w = new MermaidWriter();
        w.out.append("flowchart TD\n");
        w.body(graph.elements(), graph.edges(), "    ");
        return w.out.toString();
    }

    private void body(List<Element> elements, List<Edge> edges, String indent) {
        for (Element e : elements) {
            if (e instanceof Node n) {
                out.append(indent).append(id(n.key())).append(shape(n)).append('\n');
            } else if (e instanceof Cluster c) {
                out.append(indent)
                        .append("subgraph ")
                        .append(id(c.key()))
                        .append(" [")
                        .append(label(c.lines()))
                        .append("]\n");
                body(c.elements(), c.edges(), indent + "    ");
                out.append(indent).append("end\n");
            }
        }
        for (Edge e : edges) {
            out.append(indent)
                    .append(id(e.from()))
                    .append(e.dashed() ? " -.-> " : " --> ")
                    .append(id(e.to()))
                    .append('\n');
        }
    }

    private static String shape(Node n) {
        String label = label(n.lines());
        return switch (n.shape()) {
            case AGENT -> "[" + label + "]";
            case AGENTS -> "[[" + label + "]]";
            case FOR_EACH -> "[/" + label + "/]";
            case APPROVAL -> "{{" + label + "}}";
            case CONDITION -> "{" + label + "}";
            case COMPENSATION -> "([" + label + "])";
            case EMPTY -> "(" + label + ")";
        };
    }

    /**
     * An identifier made of letters, digits and underscores, always prefixed so that no stage name can turn into a
     * keyword of the notation ({@code end} closes a subgraph) or into an arrow head ({@code o}, {@code x}).
     */
    private String id(String key) {
        return ids.computeIfAbsent(key, k -> {
            String wanted = "s_" + k.replaceAll("[^A-Za-z0-9]", "_");
            String id = wanted;
            for (int n = 2; !taken.add(id); n++) {
                id = wanted + "_" + n;
            }
            return id;
        });
    }

    /** A quoted label, lines joined by {@code <br/>}. */
    private static String label(List<String> lines) {
        StringBuilder s = new StringBuilder("\"");
        for (int i = 0; i < lines.size(); i++) {
            s.append(i == 0 ? "" : "<br/>").append(escape(lines.get(i)));
        }
        return s.append('"').toString();
    }

    /**
     * Text as Mermaid shows it literally: a quote would end the label; {@code #} starts an entity code; {@code <},
     * {@code >} and {@code &} are HTML in a label; a backtick opens a Markdown string; and a colon lets Mermaid's
     * {@code style ...:#...;} rewriting, which runs before parsing, eat a semicolon of an entity code.
     */
    static String escape(String text) {
        StringBuilder s = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> s.append("#quot;");
                case '#' -> s.append("#35;");
                case '<' -> s.append("#lt;");
                case '>' -> s.append("#gt;");
                case '&' -> s.append("#amp;");
                case '`' -> s.append("#96;");
                case ':' -> s.append("#58;");
                default -> s.append(Character.isISOControl(c) ? ' ' : c);
            }
        }
        return s.toString();
    }
}
