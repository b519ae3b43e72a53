package dev.baton.pipeline.load;

import dev.baton.pipeline.AgentCatalog;
import dev.baton.pipeline.Location;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.Violation;
import dev.baton.pipeline.validate.ParamReferences;
import dev.baton.pipeline.validate.PipelineValidator;
import dev.baton.pipeline.validate.SourceMap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Reads a pipeline file strictly: YAML nodes with their line and column, typed into the model, then every rule of
 * {@link PipelineValidator}; all violations of a file are found in one pass.
 */
public final class PipelineLoader {
    /** The largest file accepted, in code points (3 MB of ASCII). */
    public static final int MAX_CODE_POINTS = 3 * 1024 * 1024;

    private static final Comparator<Violation> BY_POSITION = Comparator.comparingInt(
                    (Violation v) -> v.location().line())
            .thenComparingInt(v -> v.location().column());

    private PipelineLoader() {}

    /**
     * Loads pipeline YAML.
     *
     * @param file the name violations and {@link Pipeline#file()} carry, e.g. {@code routes/review.yaml}
     * @param registry agents known outside the file, which stages may name without declaring them
     */
    public static LoadResult read(String text, String file, AgentCatalog registry) {
        return read(text, file, registry, dev.baton.pipeline.StoreLimits.DEFAULT_MAX_STAGES);
    }

    /**
     * Loads pipeline YAML with at most {@code maxStages} stages (inner loop stages included).
     *
     * @see #read(String, String, AgentCatalog)
     */
    public static LoadResult read(String text, String file, AgentCatalog registry, int maxStages) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(registry, "registry");
        List<Violation> out = new ArrayList<>();
        Scope scope = Scope.root(file, out);
        if (text.length() > MAX_CODE_POINTS && text.codePointCount(0, text.length()) > MAX_CODE_POINTS) {
            int size = text.codePointCount(0, text.length());
            return failed(scope, "the file is larger than the 3 MB limit (" + size + " code points)");
        }
        LoadSettings settings = settings(file);
        Set<Integer> tagged = YamlScan.scan(text, settings, scope);
        if (tagged == null) {
            return result(null, out);
        }
        Optional<Node> root;
        try {
            root = new Compose(settings).composeString(text);
        } catch (MarkedYamlEngineException e) {
            YamlScan.syntaxError(scope, e);
            return result(null, out);
        } catch (YamlEngineException e) {
            scope.errorAt(scope.start(), "YAML syntax error: " + e.getMessage());
            return result(null, out);
        }
        root.ifPresent(node -> YamlScan.untag(node, tagged));
        SourceMap where = new SourceMap();
        Pipeline draft = DocumentReader.read(root.orElse(null), scope, where).toPipeline(file, sha256(text), text);
        out.addAll(PipelineValidator.validate(draft, registry, where, maxStages));
        List<Violation> warnings =
                new ArrayList<>(ParamReferences.undeclared(ParamReferences.of(draft.stages(), where), draft.params()));
        warnings.sort(BY_POSITION);
        out.sort(BY_POSITION);
        return new LoadResult(out.isEmpty() ? draft : null, out, warnings);
    }

    /** Loads a pipeline file; a file that cannot be read is reported as a violation like any other. */
    public static LoadResult read(Path file, String displayName, AgentCatalog registry) {
        return read(file, displayName, registry, dev.baton.pipeline.StoreLimits.DEFAULT_MAX_STAGES);
    }

    /** Loads a pipeline file with at most {@code maxStages} stages. */
    public static LoadResult read(Path file, String displayName, AgentCatalog registry, int maxStages) {
        Scope scope = Scope.root(displayName, new ArrayList<>());
        try {
            // UTF-8 takes at most 4 bytes a code point, so a larger file cannot be within the limit.
            long bytes = Files.size(file);
            if (bytes > 4L * MAX_CODE_POINTS) {
                return failed(scope, "the file is larger than the 3 MB limit (" + bytes + " bytes)");
            }
            String text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
            return read(text, displayName, registry, maxStages);
        } catch (CharacterCodingException e) {
            return failed(scope, "the file is not valid UTF-8");
        } catch (NoSuchFileException e) {
            return failed(scope, "the file does not exist");
        } catch (IOException e) {
            return failed(scope, "the file cannot be read: " + e.getMessage());
        }
    }

    /**
     * Whether the text is meant as a Baton pipeline ({@code kind: Pipeline} at the top) rather than a plain Camel
     * route; reads only up to the {@code kind} key and never throws.
     */
    public static boolean isPipeline(String text) {
        return text != null && YamlScan.declaresPipeline(text, settings("<text>"));
    }

    private static LoadSettings settings(String file) {
        // Duplicate keys and recursion are also checked while reading nodes, where every occurrence is reported.
        return LoadSettings.builder()
                .setLabel(file)
                .setAllowDuplicateKeys(false)
                .setAllowRecursiveKeys(false)
                .setMaxAliasesForCollections(YamlScan.MAX_ALIASES)
                .setCodePointLimit(MAX_CODE_POINTS)
                .setUseMarks(true)
                .build();
    }

    private static LoadResult failed(Scope scope, String message) {
        List<Violation> out = new ArrayList<>();
        Location at = scope.start();
        out.add(Violation.at(at, message));
        return new LoadResult(null, out);
    }

    private static LoadResult result(Pipeline pipeline, List<Violation> out) {
        out.sort(BY_POSITION);
        return new LoadResult(out.isEmpty() ? pipeline : null, out);
    }

    private static String sha256(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
