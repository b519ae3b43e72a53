package dev.baton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The repository's Markdown pages as the docs tests read them: fenced blocks with their info string, links outside
 * code, and the anchors GitHub makes of headings.
 */
public final class DocPages {
    /** A fenced code block: its page, the line of its opening fence (1-based), its info string and its lines. */
    public record Block(Path page, int line, String info, List<String> lines) {
        /** Where it is, as a reader finds it: {@code docs/api.md:13}. */
        public String where() {
            return page + ":" + line;
        }

        /** The language word of the info string ({@code sh} of {@code sh not run: …}). */
        public String language() {
            int space = info.indexOf(' ');
            return space < 0 ? info : info.substring(0, space);
        }

        /** A block the docs tests run: info string exactly {@code sh}. */
        public boolean run() {
            return info.equals("sh");
        }
    }

    /** A Markdown link outside code: the page, its line and the target as written. */
    public record Link(Path page, int line, String target) {}

    private static final Pattern FENCE = Pattern.compile("^(\\s*)(```+)(.*)$");
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6} (.+)$");
    private static final Pattern HTML_ID = Pattern.compile("<a id=\"([^\"]+)\"");

    private DocPages() {}

    /** Every Markdown page of the repository (not under target/, node_modules/ or .git), as relative paths. */
    public static List<Path> all() {
        try (Stream<Path> files = Files.walk(Path.of("."))) {
            return files.filter(p -> p.toString().endsWith(".md"))
                    .map(p -> Path.of(".").relativize(p))
                    .filter(p -> !p.startsWith("target")
                            && !p.startsWith(".git")
                            && !p.toString().contains("node_modules"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fenced blocks of a page, in order. */
    public static List<Block> blocks(Path page) {
        List<String> lines = read(page);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher open = FENCE.matcher(lines.get(i));
            if (!open.matches()) continue;
            String fence = open.group(2);
            int end = i + 1;
            while (end < lines.size() && !lines.get(end).strip().startsWith(fence)) end++;
            if (end == lines.size())
                throw new IllegalStateException(page + ":" + (i + 1) + " a fence that never closes");
            int indent = open.group(1).length();
            List<String> body = lines.subList(i + 1, end).stream()
                    .map(l -> l.length() >= indent && l.substring(0, indent).isBlank() ? l.substring(indent) : l)
                    .toList();
            blocks.add(new Block(page, i + 1, open.group(3).strip(), body));
            i = end;
        }
        return blocks;
    }

    /** The links of a page outside fenced blocks and inline code. */
    public static List<Link> links(Path page) {
        List<Link> links = new ArrayList<>();
        forEachProseLine(page, (n, line) -> {
            Matcher m = LINK.matcher(line.replaceAll("`[^`]*`", "``"));
            while (m.find()) links.add(new Link(page, n, m.group(1)));
        });
        return links;
    }

    /** The anchors a page offers: GitHub's slug of every heading (with -1, -2 for repeats) and every {@code <a id>}. */
    public static Set<String> anchors(Path page) {
        Set<String> anchors = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        forEachProseLine(page, (n, line) -> {
            Matcher h = HEADING.matcher(line);
            if (h.matches()) {
                String slug = slug(h.group(1));
                int count = seen.merge(slug, 1, Integer::sum);
                anchors.add(count == 1 ? slug : slug + "-" + (count - 1));
            }
            Matcher id = HTML_ID.matcher(line);
            while (id.find()) anchors.add(id.group(1));
        });
        return anchors;
    }

    /** The second-level headings ({@code ## …}) of a page, in order, outside fenced blocks. */
    public static List<String> sections(Path page) {
        List<String> sections = new ArrayList<>();
        forEachProseLine(page, (n, line) -> {
            if (line.startsWith("## ")) sections.add(line.substring(3).strip());
        });
        return sections;
    }

    /** GitHub's anchor for a heading: lower case, punctuation other than - and _ dropped, spaces as hyphens. */
    static String slug(String heading) {
        return heading.strip()
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{N}\\- _]", "")
                .replace(' ', '-');
    }

    private interface LineVisitor {
        void visit(int lineNumber, String line);
    }

    private static void forEachProseLine(Path page, LineVisitor visitor) {
        List<String> lines = read(page);
        String fence = null;
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = FENCE.matcher(lines.get(i));
            if (fence == null && m.matches()) {
                fence = m.group(2);
            } else if (fence != null && lines.get(i).strip().startsWith(fence)) {
                fence = null;
            } else if (fence == null) {
                visitor.visit(i + 1, lines.get(i));
            }
        }
    }

    private static List<String> read(Path page) {
        try {
            return Files.readAllLines(page);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
