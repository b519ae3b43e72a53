package dev.baton.pipeline.validate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.pipeline.ForEachStage;
import dev.baton.pipeline.Location;
import dev.baton.pipeline.LoopStage;
import dev.baton.pipeline.ParamSpec;
import dev.baton.pipeline.Stage;
import dev.baton.pipeline.Violation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The params a pipeline's expressions read: {@code $.params.x} (or {@code $.params['x']}) in JSONPaths and templates,
 * {@code params.x} (or {@code params["x"]}) in conditions. An {@code orchestra.io/v1} file that declares no params
 * takes these as its params; a file that declares params is warned of each one it reads and does not declare.
 */
public final class ParamReferences {
    private static final Pattern PATH =
            Pattern.compile("\\$\\.params(?:\\.([A-Za-z_][A-Za-z0-9_-]*)|\\[\\s*['\"]([^'\"]+)['\"]\\s*])");
    private static final Pattern CONDITION =
            Pattern.compile("(?<![A-Za-z0-9_.$])params(?:\\.([A-Za-z_][A-Za-z0-9_]*)|\\[\\s*['\"]([^'\"]+)['\"]\\s*])");

    /** A param read by a stage's field, and where that field is written. */
    public record Reference(String param, String stage, String field, Location location) {}

    private final List<Reference> found = new ArrayList<>();

    private ParamReferences() {}

    /** Every reference, in the order they are written in the file. */
    public static List<Reference> of(List<Stage> stages, SourceMap where) {
        ParamReferences refs = new ParamReferences();
        refs.scan(stages, where, null);
        refs.found.sort(
                java.util.Comparator.comparingInt((Reference r) -> r.location().line())
                        .thenComparingInt(r -> r.location().column()));
        return List.copyOf(refs.found);
    }

    /** The params the references name, in the order first read, each optional without a default. */
    public static Map<String, ParamSpec> inferred(List<Reference> references) {
        Map<String, ParamSpec> params = new LinkedHashMap<>();
        references.forEach(r -> params.putIfAbsent(r.param(), new ParamSpec(r.param(), false, null)));
        return params;
    }

    /**
     * A warning for each param read but not declared (once per stage and param): a run cannot set it, so the
     * expression reads nothing, which is most often a typo.
     */
    public static List<Violation> undeclared(List<Reference> references, Map<String, ParamSpec> declared) {
        List<Violation> warnings = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Reference r : references) {
            if (declared.containsKey(r.param()) || !seen.add(r.stage() + "\u0000" + r.param())) {
                continue;
            }
            String known = declared.isEmpty()
                    ? "this pipeline declares no params"
                    : "declared params are " + String.join(", ", new TreeSet<>(declared.keySet()));
            warnings.add(Violation.inStage(
                    r.location(),
                    r.stage(),
                    r.field() + " reads param '" + r.param()
                            + "', which spec.params does not declare, so a run cannot set it; " + known));
        }
        return warnings;
    }

    private void scan(List<Stage> stages, SourceMap where, String loop) {
        for (int i = 0; i < stages.size(); i++) {
            Stage s = stages.get(i);
            String name = loop == null ? s.name() : loop + "/" + s.name();
            Location at = s.location();
            path(s.base().input(), name, "input", where.find(i, "input", at));
            condition(s.base().condition(), name, "condition", where.find(i, "condition", at));
            if (s.base().compensate() != null) {
                path(s.base().compensate().input(), name, "compensate.input", where.find(i, "compensate.input", at));
            }
            if (s instanceof ForEachStage f) {
                path(f.items(), name, "dynamic.input", where.find(i, "dynamic.input", at));
                template(f.template().input(), name, where.find(i, "dynamic.template.agent", at));
            } else if (s instanceof LoopStage l) {
                condition(l.until(), name, "loop.until", where.find(i, "loop.until", at));
                scan(l.stages(), where.body(i), name);
            }
        }
    }

    private void template(JsonNode input, String stage, Location at) {
        if (input == null) return;
        if (input.isTextual()) {
            path(input.asText(), stage, "dynamic.template.input", at);
        }
        input.forEach(child -> template(child, stage, at));
    }

    private void path(String text, String stage, String field, Location at) {
        add(PATH, text, stage, field, at);
    }

    private void condition(String text, String stage, String field, Location at) {
        add(CONDITION, text, stage, field, at);
    }

    private void add(Pattern pattern, String text, String stage, String field, Location at) {
        if (text == null) return;
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            found.add(new Reference(m.group(1) != null ? m.group(1) : m.group(2), stage, field, at));
        }
    }
}
