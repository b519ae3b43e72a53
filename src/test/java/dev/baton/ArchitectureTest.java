package dev.baton;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Dependencies point one way (STYLE.md): pipeline ← compile ← runtime/api/cli; the model has no Camel in it. */
class ArchitectureTest {
    private static final Path SRC = Path.of("src/main/java/dev/baton");

    @Test
    void theModelImportsNeitherCamelNorAnyOtherLayer() throws IOException {
        assertThat(
                        imports(
                                "pipeline",
                                Pattern.compile(
                                        "import (static )?(org\\.apache\\.camel|dev\\.baton\\.(compile|runtime|api|cli|ticket|agent|broker|config))\\b")))
                .isEmpty();
    }

    @Test
    void theCompilerDoesNotReachIntoTheRuntimeOrTheInterfaces() throws IOException {
        assertThat(imports("compile", Pattern.compile("import (static )?dev\\.baton\\.(runtime|api|cli)\\b")))
                .isEmpty();
    }

    @Test
    void theRuntimeNeverReadsYaml() throws IOException {
        assertThat(
                        imports(
                                "runtime",
                                Pattern.compile(
                                        "import (static )?(org\\.snakeyaml|dev\\.baton\\.pipeline\\.load|dev\\.baton\\.(api|cli))\\b")))
                .isEmpty();
    }

    @Test
    void theStoreKnowsNothingOfCamelOrTheEngine() throws IOException {
        assertThat(
                        imports(
                                "ticket",
                                Pattern.compile(
                                        "import (static )?(org\\.apache\\.camel|dev\\.baton\\.(compile|runtime|api|cli|agent))\\b")))
                .isEmpty();
    }

    /** Lines of the package's sources (sub-packages included) that match, as file: line. */
    private static List<String> imports(String pkg, Pattern forbidden) throws IOException {
        List<String> hits = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SRC.resolve(pkg))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    if (forbidden.matcher(line).find()) hits.add(f + ": " + line.trim());
                }
            }
        }
        return hits;
    }
}
