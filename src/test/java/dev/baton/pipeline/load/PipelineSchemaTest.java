package dev.baton.pipeline.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.baton.pipeline.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The editor schema of pipeline files (src/main/resources/schema/pipeline.schema.json) and the loader agree: every
 * valid fixture and every example of routes/ passes the schema; every invalid fixture whose error is structural
 * (an unknown field, a wrong type, a missing field, a value out of range) fails it; and the fixtures whose errors
 * only the loader can see are listed here by name, each with why, and pass the schema.
 */
class PipelineSchemaTest {
    /** Invalid fixtures the schema cannot refuse: their errors span fields, files or languages. */
    static final Map<String, String> SEMANTIC = new TreeMap<>(Map.ofEntries(
            Map.entry("bad-cron", "a cron field out of its range (hour 25): the cron library's grammar"),
            Map.entry("bad-timezone", "a time zone that does not exist: the IANA database"),
            Map.entry("conditions", "a CEL expression that does not compile: CEL's grammar and types"),
            Map.entry("cycle", "dependsOn forms a cycle: the graph across stages"),
            Map.entry("self-dependency", "a stage depends on itself: a value compared with another field"),
            Map.entry("unknown-depends-on", "dependsOn names no stage of the file: across stages"),
            Map.entry("duplicate-stage-names", "two stages of one name: across stages"),
            Map.entry("schedule-unknown-param", "schedule params against spec.params: across fields"),
            Map.entry(
                    "too-many-stages",
                    "more stages than baton.pipelines.max-stages: a setting, loop stages " + "counted"),
            Map.entry(
                    "unknown-agent",
                    "an agent declared neither in the file nor in config/agents.yaml: across " + "files")));

    /** Invalid fixtures that are not one YAML document of plain data: refused by the YAML parser, before any schema. */
    static final Set<String> NOT_YAML_DATA = new java.util.TreeSet<>(
            Set.of("alias-bomb", "duplicate-key", "multiple-documents", "tag", "yaml-syntax-error"));

    static final JsonNode PIPELINE = read(Path.of("src/main/resources/schema/pipeline.schema.json"));
    static final JsonNode AGENTS = read(Path.of("src/main/resources/schema/agents.schema.json"));
    static final Schema SCHEMA = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
            .getSchema(PIPELINE);
    static final String EDITOR_LINE = "# yaml-language-server: $schema=../src/main/resources/schema/";

    @Test
    void everyValidFixtureAndEveryExampleOfRoutesPassesTheSchema() throws Exception {
        List<Path> files = new ArrayList<>(yamlFiles(PipelineFixturesTest.root().resolve("valid")));
        for (Path example : yamlFiles(Path.of("routes"))) {
            String text = Files.readString(example);
            if (text.contains("kind: Pipeline")) { // routes/ also holds plain Camel routes
                files.add(example);
                assertThat(text)
                        .as(example + " names its schema for editors")
                        .startsWith(EDITOR_LINE + "pipeline.schema.json\n");
            }
        }
        files.add(Path.of("examples", "python-agent", "py-hello.yaml"));
        files.add(Path.of("examples", "mcp-agent", "routes", "mcp-echo.yaml"));
        assertThat(files).hasSizeGreaterThan(10);
        Map<String, List<String>> failures = new TreeMap<>();
        for (Path f : files) {
            List<String> errors = errors(f);
            if (!errors.isEmpty()) failures.put(f.toString(), errors);
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void everyStructuralErrorOfTheInvalidFixturesFailsTheSchema() throws Exception {
        Map<String, List<String>> accepted = new TreeMap<>();
        List<String> unlisted = new ArrayList<>();
        Set<String> unparsable = new java.util.TreeSet<>();
        for (Path f : yamlFiles(PipelineFixturesTest.root().resolve("invalid"))) {
            String name = f.getFileName().toString().replaceFirst("\\.yaml$", "");
            List<String> errors;
            try {
                errors = errors(f);
            } catch (RuntimeException e) {
                unparsable.add(name);
                continue;
            }
            if (SEMANTIC.containsKey(name)) {
                if (!errors.isEmpty()) accepted.put(name + " is listed as semantic but the schema refuses it", errors);
            } else if (errors.isEmpty()) {
                unlisted.add(name);
            }
        }
        assertThat(unlisted)
                .as("invalid fixtures the schema accepts and SEMANTIC does not list")
                .isEmpty();
        assertThat(accepted).isEmpty();
        assertThat(unparsable).as("fixtures the YAML parser refuses").isEqualTo(NOT_YAML_DATA);
    }

    @Test
    void theAgentRegistryFilesPassTheirSchemaAndPipelinesDeclareAgentsTheSameWay() throws Exception {
        Schema agents = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(AGENTS);
        Path config = Path.of("config", "agents.yaml");
        assertThat(Files.readString(config)).startsWith(EDITOR_LINE + "agents.schema.json\n");
        for (Path file : List.of(config, Path.of("examples", "mcp-agent", "config", "agents.yaml"))) {
            assertThat(agents.validate(yaml(file))).as(file.toString()).isEmpty();
        }
        String wrong = "agents:\n  w: {kind: http, timeout: 5m}\n  d: {kind: demo, model: x}\nprice: {}\n";
        assertThat(agents.validate(
                        Json.MAPPER.valueToTree(new Load(LoadSettings.builder().build()).loadFromString(wrong))))
                .as("a missing url, an option of another kind, an unknown key")
                .hasSize(3);
        // spec.agents of a pipeline takes what config/agents.yaml takes for one agent
        JsonNode declared = PIPELINE.at("/$defs/agentDeclaration").deepCopy();
        JsonNode registry = AGENTS.at("/$defs/agent").deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) declared).remove("description");
        ((com.fasterxml.jackson.databind.node.ObjectNode) registry).remove("description");
        assertThat(declared).isEqualTo(registry);
    }

    static JsonNode yaml(Path file) throws IOException {
        return Json.MAPPER.valueToTree(
                new Load(LoadSettings.builder().setAllowDuplicateKeys(false).build())
                        .loadFromString(Files.readString(file)));
    }

    static List<String> errors(Path yaml) throws IOException {
        return SCHEMA.validate(yaml(yaml)).stream().map(Error::toString).toList();
    }

    private static List<Path> yamlFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    private static JsonNode read(Path p) {
        try {
            return Json.parse(Files.readString(p));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
