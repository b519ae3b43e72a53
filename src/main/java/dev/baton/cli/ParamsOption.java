package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import picocli.CommandLine.Option;

/**
 * {@code -p KEY=VALUE} and {@code --values FILE} of the commands that take a run's params (submit, dry-run): the file
 * (a YAML or JSON mapping) is read first, then each {@code -p} replaces the value of its key.
 */
public final class ParamsOption {
    @Option(
            names = {"-p", "--param"},
            paramLabel = "KEY=VALUE",
            description = "a param; VALUE is read as JSON when it parses (42, true, [1,2], {\"a\":1}), else as text; "
                    + "wins over --values")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(
            names = "--values",
            paramLabel = "FILE",
            description = "params from a YAML or JSON file holding a mapping of param names to values")
    Path values;

    /** Whether any param was given, by either option. */
    boolean given() {
        return values != null || !params.isEmpty();
    }

    /** The params as one JSON object: the file's, then every {@code -p} over them. */
    ObjectNode toJson() {
        ObjectNode body = values == null ? Json.object() : read(values);
        params.forEach((k, v) -> body.set(k, value(v)));
        return body;
    }

    /** A {@code -p} value: JSON when it parses as JSON, else the text itself. */
    static JsonNode value(String text) {
        try {
            return Json.parse(text);
        } catch (IllegalArgumentException e) {
            return Json.MAPPER.getNodeFactory().textNode(text);
        }
    }

    private static ObjectNode read(Path file) {
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ClientException(ExitCode.INVALID, "--values " + file + ": no such file");
        } catch (IOException e) {
            throw new ClientException(ExitCode.INVALID, "--values " + file + ": cannot be read: " + e.getMessage());
        }
        Object doc;
        try {
            // JSON is YAML, so one reader serves both; duplicate keys are an error, not a silent overwrite.
            doc = new Load(LoadSettings.builder()
                            .setLabel(file.toString())
                            .setAllowDuplicateKeys(false)
                            .setMaxAliasesForCollections(50)
                            .build())
                    .loadFromString(text);
        } catch (YamlEngineException e) {
            throw new ClientException(
                    ExitCode.INVALID,
                    "--values " + file + " is not valid YAML or JSON: "
                            + e.getMessage().strip().replace('\n', ' '));
        }
        if (doc == null) {
            return Json.object(); // an empty file: no params
        }
        if (!(doc instanceof Map<?, ?> map)) {
            throw new ClientException(
                    ExitCode.INVALID,
                    "--values " + file
                            + " must hold a mapping of param names to values, like 'topic: queues', not a "
                            + (doc instanceof Iterable<?> ? "list" : "single value"));
        }
        for (Object key : map.keySet()) {
            if (!(key instanceof String)) {
                throw new ClientException(
                        ExitCode.INVALID, "--values " + file + ": param name " + key + " must be text");
            }
        }
        try {
            return Json.MAPPER.valueToTree(map);
        } catch (IllegalArgumentException e) {
            throw new ClientException(
                    ExitCode.INVALID, "--values " + file + ": a value cannot be made JSON: " + e.getMessage());
        }
    }
}
