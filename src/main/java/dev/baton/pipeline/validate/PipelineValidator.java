package dev.baton.pipeline.validate;

import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import dev.baton.pipeline.AgentCatalog;
import dev.baton.pipeline.AgentStage;
import dev.baton.pipeline.Location;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.Stage;
import dev.baton.pipeline.Violation;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules that span fields or stages of a typed pipeline: unique names, a dependsOn DAG, known agents and usable
 * JSONPaths. Rules about a single field's shape belong to the loader, which sees the YAML.
 */
public final class PipelineValidator {
    private static final Pattern OUTPUT = Pattern.compile("\\$(\\.[A-Za-z_][A-Za-z0-9_-]*)+");

    private final Pipeline pipeline;
    private final AgentCatalog registry;
    private final SourceMap where;
    private final List<Violation> violations = new ArrayList<>();

    private PipelineValidator(Pipeline pipeline, AgentCatalog registry, SourceMap where) {
        this.pipeline = pipeline;
        this.registry = registry;
        this.where = where;
    }

    /** Every violation of {@code pipeline}, pointing at each stage's own location. */
    public static List<Violation> validate(Pipeline pipeline, AgentCatalog registry) {
        return validate(pipeline, registry, SourceMap.empty());
    }

    /**
     * Every violation of {@code pipeline}, in the order the rules run, each pointing at the offending value when
     * {@code where} knows it.
     *
     * @param registry agents known outside the file; a stage may name these or the pipeline's {@code spec.agents}
     */
    public static List<Violation> validate(Pipeline pipeline, AgentCatalog registry, SourceMap where) {
        PipelineValidator validator = new PipelineValidator(pipeline, registry, where);
        validator.run();
        return List.copyOf(validator.violations);
    }

    private void run() {
        Map<String, Integer> firstIndex = new HashMap<>();
        List<Stage> stages = pipeline.stages();
        for (int i = 0; i < stages.size(); i++) {
            Stage stage = stages.get(i);
            Integer first = firstIndex.putIfAbsent(stage.name(), i);
            if (first != null) {
                int line = stages.get(first).location().line();
                report(i, "name", "duplicate stage name '" + stage.name() + "' (first at line " + line + ")");
            }
        }
        for (int i = 0; i < stages.size(); i++) {
            checkDependsOn(i, firstIndex.keySet());
            checkKind(i);
            checkInput(i);
            checkOutput(i);
        }
        checkCycles(firstIndex);
    }

    private void checkDependsOn(int i, Set<String> names) {
        Stage stage = pipeline.stages().get(i);
        Set<String> seen = new HashSet<>();
        List<String> deps = stage.dependsOn();
        for (int j = 0; j < deps.size(); j++) {
            String dep = deps.get(j);
            if (dep.equals(stage.name())) {
                reportEntry(i, j, "dependsOn '" + dep + "' is the stage itself; a stage cannot depend on itself");
            } else if (!names.contains(dep)) {
                reportEntry(i, j, "dependsOn '" + dep + "' is not a stage of this pipeline");
            } else if (!seen.add(dep)) {
                reportEntry(i, j, "dependsOn lists '" + dep + "' more than once");
            }
        }
    }

    private void checkKind(int i) {
        Stage stage = pipeline.stages().get(i);
        // Java 17 has no pattern switch; when a second stage kind arrives its agents are checked here too.
        if (stage instanceof AgentStage s && s.agent() != null) {
            if (!pipeline.agents().containsKey(s.agent()) && !registry.knows(s.agent())) {
                report(i, "agent", "agent '" + s.agent() + "' is not declared in spec.agents or config/agents.yaml");
            }
        }
    }

    private void checkInput(int i) {
        String input = pipeline.stages().get(i).base().input();
        if (input == null) {
            return;
        }
        // Jayway quietly prefixes "$." to relative paths; a pipeline must say where it reads from.
        if (!input.startsWith("$")) {
            report(i, "input", "input '" + input + "' is not a valid JSONPath: it must start with $");
            return;
        }
        String unbalanced = unbalanced(input);
        if (unbalanced != null) {
            report(i, "input", "input '" + input + "' is not a valid JSONPath: " + unbalanced);
            return;
        }
        try {
            JsonPath.compile(input);
        } catch (InvalidPathException | IllegalArgumentException e) {
            report(i, "input", "input '" + input + "' is not a valid JSONPath: " + e.getMessage().strip());
        }
    }

    /** Jayway accepts some unclosed brackets (such as a trailing '['), so brackets are counted here first. */
    private static String unbalanced(String path) {
        Deque<Character> open = new ArrayDeque<>();
        char quote = 0;
        for (int k = 0; k < path.length(); k++) {
            char c = path.charAt(k);
            if (quote != 0) {
                quote = c == quote && path.charAt(k - 1) != '\\' ? 0 : quote;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '[' || c == '(') {
                open.push(c);
            } else if (c == ']' || c == ')') {
                char expected = c == ']' ? '[' : '(';
                if (open.isEmpty() || open.pop() != expected) {
                    return "'" + c + "' at position " + k + " has no matching '" + expected + "'";
                }
            }
        }
        if (quote != 0) {
            return "a quote is not closed";
        }
        return open.isEmpty() ? null : "'" + open.peek() + "' is not closed";
    }

    private void checkOutput(int i) {
        String output = pipeline.stages().get(i).base().output();
        if (output == null) {
            return;
        }
        if (!OUTPUT.matcher(output).matches()) {
            report(i, "output", "output '" + output + "' must be a path of names like $.research or $.review.summary");
        } else if (output.equals("$.params") || output.startsWith("$.params.")) {
            report(i, "output", "output '" + output + "' must not be under $.params, which holds the run's params");
        }
    }

    private void checkCycles(Map<String, Integer> firstIndex) {
        for (List<String> cycle : Dag.cycles(pipeline)) {
            int i = firstIndex.get(cycle.get(0));
            String next = cycle.size() > 1 ? cycle.get(1) : cycle.get(0);
            int entry = pipeline.stages().get(i).dependsOn().indexOf(next);
            reportEntry(i, entry, "dependsOn forms a cycle: " + String.join(" -> ", cycle) + " -> " + cycle.get(0));
        }
    }

    private void report(int i, String field, String message) {
        Stage stage = pipeline.stages().get(i);
        Location at = where.find(i, field, stage.location());
        violations.add(Violation.inStage(at, stage.name(), message));
    }

    private void reportEntry(int i, int entry, String message) {
        Stage stage = pipeline.stages().get(i);
        Location at = where.findEntry(i, "dependsOn", entry, stage.location());
        violations.add(Violation.inStage(at, stage.name(), message));
    }
}
