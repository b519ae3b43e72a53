package dev.baton;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The pages a newcomer reads hold together: every relative link reaches a file of the repository (and a heading that
 * is there), every fenced block says what it is (so the blocks {@code DocsCommandsIT} does not run are named, with
 * why), and nothing points at a file the repository does not have.
 */
class DocsTest {
    /** What a fenced block may be: commands (run, or not run with a reason), a transcript, output, or a file. */
    private static final Set<String> LANGUAGES = Set.of(
            "sh", "console", "text", "yaml", "json", "properties", "xml", "java", "http", "python", "mermaid", "dot");

    @Test
    void theFrontDoorIndexesEveryPageOfDocs() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        List<Path> docs;
        try (Stream<Path> files = Files.list(Path.of("docs"))) {
            docs = files.filter(p -> p.toString().endsWith(".md")).sorted().toList();
        }
        assertThat(docs).as("the reference pages").hasSizeGreaterThanOrEqualTo(6);
        for (Path doc : docs) {
            assertThat(readme).as("README.md links to " + doc).contains("](" + doc + ")");
        }
        assertThat(readme.lines().count()).as("README.md stays a front door").isLessThan(400);
    }

    @Test
    void everyPageOfDocsWithThreeSectionsOrMoreListsThemAll() throws IOException {
        List<String> missing = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("docs"))) {
            for (Path doc :
                    files.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                List<String> sections = DocPages.sections(doc);
                if (sections.size() < 3) continue;
                String contents = Files.readAllLines(doc).stream()
                        .filter(l -> l.startsWith("Contents: "))
                        .findFirst()
                        .orElse("");
                for (String section : sections) {
                    String link = "[" + section + "](#" + DocPages.slug(section) + ")";
                    if (!contents.contains(link)) missing.add(doc + ": the Contents line lacks " + link);
                }
            }
        }
        assertThat(missing).isEmpty();
    }

    @Test
    void everyRelativeLinkResolvesInsideTheRepository() {
        Path root = Path.of("").toAbsolutePath().normalize();
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path page : DocPages.all()) {
            for (DocPages.Link link : DocPages.links(page)) {
                String target = link.target();
                if (target.matches("^[a-z][a-z0-9+.-]*:.*")) continue; // https:, mailto:
                checked++;
                String where = page + ":" + link.line() + " (" + target + ")";
                int hash = target.indexOf('#');
                String path = hash < 0 ? target : target.substring(0, hash);
                Path file = path.isEmpty()
                        ? page
                        : page.toAbsolutePath().getParent().resolve(path).normalize();
                if (!file.toAbsolutePath().normalize().startsWith(root)) {
                    broken.add(where + ": outside the repository");
                } else if (!Files.exists(file)) {
                    broken.add(where + ": no such file");
                } else if (hash >= 0
                        && file.toString().endsWith(".md")
                        && !DocPages.anchors(
                                        root.relativize(file.toAbsolutePath().normalize()))
                                .contains(target.substring(hash + 1))) {
                    broken.add(where + ": no such heading");
                }
            }
        }
        assertThat(checked).as("relative links checked").isGreaterThan(40);
        assertThat(broken).as("links that lead nowhere").isEmpty();
    }

    @Test
    void everyFencedBlockSaysWhatItIs() {
        List<String> unsaid = new ArrayList<>();
        int run = 0;
        for (Path page : DocPages.all()) {
            for (DocPages.Block b : DocPages.blocks(page)) {
                if (b.run()) {
                    run++;
                } else if (b.info().startsWith("sh")) {
                    if (!b.info().matches("sh not run: .{10,}")) {
                        unsaid.add(b.where() + " '" + b.info() + "': a command block is `sh` (run by DocsCommandsIT) "
                                + "or `sh not run: <why>`");
                    }
                } else if (!LANGUAGES.contains(b.language())) {
                    unsaid.add(b.where() + " '" + b.info() + "': say what the block is (" + LANGUAGES + ")");
                }
            }
        }
        assertThat(run).as("blocks DocsCommandsIT runs").isGreaterThanOrEqualTo(5);
        assertThat(unsaid).isEmpty();
    }

    @Test
    void nothingCitesAFileTheRepositoryDoesNotHave() throws IOException {
        // The product contract the project was built from is not part of the repository; pages cite pages that are.
        String outside = "DESIGN" + ".md";
        List<String> citing = new ArrayList<>();
        for (String dir : List.of("src", "config", "routes", "broker", "examples", "docs", "tools/h2-kill-probe")) {
            try (Stream<Path> files = Files.walk(Path.of(dir))) {
                for (Path f : files.filter(Files::isRegularFile)
                        .filter(f -> !f.toString().contains("node_modules"))
                        .filter(f -> f.toString().matches(".*\\.(java|md|yaml|yml|properties|xml|py|js|html|sh)$"))
                        .toList()) {
                    if (Files.readString(f).contains(outside)) citing.add(f.toString());
                }
            }
        }
        for (String f : List.of("README.md", "baton", ".ci/run", "pom.xml")) {
            if (Files.readString(Path.of(f)).contains(outside)) citing.add(f);
        }
        assertThat(citing).isEmpty();
    }
}
