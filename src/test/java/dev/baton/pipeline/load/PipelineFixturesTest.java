package dev.baton.pipeline.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.pipeline.AgentCatalog;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Loads every fixture under pipelines/valid and pipelines/invalid; the expected messages are part of the API. */
class PipelineFixturesTest {
    /** A real registry, so that kinds and kind options declared in spec.agents are judged as Baton judges them. */
    static final AgentCatalog REGISTRY =
            dev.baton.agent.AgentRegistry.parse("agents.yaml", "agents:\n  registered-agent: {}\n");

    static Path root() throws URISyntaxException {
        return Path.of(PipelineFixturesTest.class.getResource("/pipelines").toURI());
    }

    static Stream<String> valid() throws Exception {
        return yamlFiles("valid");
    }

    static Stream<String> invalid() throws Exception {
        return yamlFiles("invalid");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void validFileLoadsWithoutViolations(String name) throws Exception {
        LoadResult result = PipelineLoader.read(root().resolve(name), name, REGISTRY);

        assertThat(result.violations()).isEmpty();
        assertThat(result.pipeline()).isNotNull();
        assertThat(result.pipeline().file()).isEqualTo(name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void invalidFileGivesExactlyTheExpectedViolations(String name) throws Exception {
        Path expectedFile = root().resolve(name.replaceFirst("\\.yaml$", ".expected"));
        List<String> expected = Files.readAllLines(expectedFile).stream()
                .filter(l -> !l.isBlank())
                .toList();

        LoadResult result = PipelineLoader.read(root().resolve(name), name, REGISTRY);

        assertThat(result.pipeline()).isNull();
        assertThat(result.violations()).map(Object::toString).containsExactlyElementsOf(expected);
    }

    @Test
    void everyInvalidFixtureHasItsExpectedFileAndThereAreEnough() throws Exception {
        List<String> yaml = invalid().toList();
        try (Stream<Path> files = Files.list(root().resolve("invalid"))) {
            List<String> expected = files.map(p -> "invalid/" + p.getFileName())
                    .filter(n -> n.endsWith(".expected"))
                    .map(n -> n.replaceFirst("\\.expected$", ".yaml"))
                    .sorted()
                    .toList();
            assertThat(expected).containsExactlyElementsOf(yaml);
        }
        assertThat(yaml).hasSizeGreaterThanOrEqualTo(20);
    }

    private static Stream<String> yamlFiles(String folder) throws IOException, URISyntaxException {
        try (Stream<Path> files = Files.list(root().resolve(folder))) {
            return files
                    .map(p -> folder + "/" + p.getFileName())
                    .filter(n -> n.endsWith(".yaml"))
                    .sorted()
                    .toList()
                    .stream();
        }
    }
}
