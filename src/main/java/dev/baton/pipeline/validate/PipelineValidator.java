package dev.baton.pipeline.validate;

import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import dev.baton.pipeline.AgentCatalog;
import dev.baton.pipeline.AgentSelector;
import dev.baton.pipeline.AgentSpec;
import dev.baton.pipeline.AgentStage;
import dev.baton.pipeline.Compensation;
import dev.baton.pipeline.ForEachStage;
import dev.baton.pipeline.Location;
import dev.baton.pipeline.LoopStage;
import dev.baton.pipeline.MultiAgentStage;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.Stage;
import dev.baton.pipeline.StoreLimits;
import dev.baton.pipeline.Violation;
import dev.baton.pipeline.expr.ConditionVariables;
import dev.baton.pipeline.expr.Expression;
import dev.baton.pipeline.expr.ExpressionException;
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
 * The rules that span fields or stages of a typed pipeline, in loop bodies too: unique names, a dependsOn DAG,
 * known agents, usable JSONPaths and conditions that compile. Rules about a single field's shape belong to the loader, which sees the YAML.
 */
public final class PipelineValidator {
    private static final Pattern OUTPUT = Pattern.compile("\\$(\\.[A-Za-z_][A-Za-z0-9_-]*)+");
    /** An agent's name is part of its queue's name and of the broker's security matches: no wildcards, no dots. */
    private static final Pattern AGENT_NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");

    private final Pipeline pipeline;
    private final AgentCatalog registry;
    private final SourceMap where;
    private final int maxStages;
    private final List<Violation> violations = new ArrayList<>();

    private PipelineValidator(Pipeline pipeline, AgentCatalog registry, SourceMap where, int maxStages) {
        this.pipeline = pipeline;
        this.registry = registry;
        this.where = where;
        this.maxStages = maxStages;
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
        return validate(pipeline, registry, where, StoreLimits.DEFAULT_MAX_STAGES);
    }

    /** As {@link #validate(Pipeline, AgentCatalog, SourceMap)}, with at most {@code maxStages} stages in all. */
    public static List<Violation> validate(Pipeline pipeline, AgentCatalog registry, SourceMap where, int maxStages) {
        PipelineValidator validator = new PipelineValidator(pipeline, registry, where, maxStages);
        validator.run();
        return List.copyOf(validator.violations);
    }

    /** One list of stages: the pipeline's, or a loop's body (then {@code loop} is the loop stage). */
    private record Body(List<Stage> stages, SourceMap where, LoopStage loop) {
        String name(int i) {
            String name = stages.get(i).name();
            return loop == null ? name : loop.name() + "/" + name;
        }
    }

    private void run() {
        for (AgentSpec declared : pipeline.agents().values()) {
            if (declared.declaration() != null) {
                violations.addAll(registry.checkDeclared(declared, pipeline.file(), pipeline.source()));
            }
        }
        checkStageCount();
        check(new Body(pipeline.stages(), where, null), Map.of());
    }

    /** Reported once, at the top-level stage where the count (inner loop stages included) passes the limit. */
    private void checkStageCount() {
        int total = 0;
        Stage over = null;
        for (Stage stage : pipeline.stages()) {
            total += 1 + (stage instanceof LoopStage loop ? loop.stages().size() : 0);
            if (over == null && total > maxStages) {
                over = stage;
            }
        }
        if (over != null) {
            violations.add(Violation.inStage(
                    over.location(),
                    over.name(),
                    "the pipeline has " + total + " stages " + "(inner loop stages included); at most " + maxStages
                            + " are allowed (baton.pipelines.max-stages)"));
        }
    }

    /** @param outer the stage names outside this body, with the line each is written on */
    private void check(Body b, Map<String, Integer> outer) {
        Map<String, Integer> firstIndex = new HashMap<>();
        List<Stage> stages = b.stages();
        for (int i = 0; i < stages.size(); i++) {
            Stage stage = stages.get(i);
            Integer first = firstIndex.putIfAbsent(stage.name(), i);
            if (first != null) {
                int line = stages.get(first).location().line();
                report(b, i, "name", "duplicate stage name '" + stage.name() + "' (first at line " + line + ")");
            } else if (outer.containsKey(stage.name())) {
                report(
                        b,
                        i,
                        "name",
                        "stage name '" + stage.name() + "' is already used outside the loop (line "
                                + outer.get(stage.name()) + ")");
            }
        }
        for (int i = 0; i < stages.size(); i++) {
            if (b.name(i).length() > StoreLimits.NAME) {
                report(
                        b,
                        i,
                        "name",
                        (b.loop() == null ? "name" : "name, with its loop's,") + " is "
                                + b.name(i).length() + " characters; at most " + StoreLimits.NAME + " are allowed");
            }
            checkDependsOn(b, i, firstIndex.keySet());
            checkAgents(b, i);
            checkPaths(b, i);
            checkOutput(b, i);
            checkExpressions(b, i);
            if (stages.get(i) instanceof LoopStage loop) {
                Map<String, Integer> names = new HashMap<>();
                stages.forEach(st -> names.putIfAbsent(st.name(), st.location().line()));
                check(new Body(loop.stages(), b.where().body(i), loop), names);
            }
        }
        checkCycles(b, firstIndex);
    }

    private void checkDependsOn(Body b, int i, Set<String> names) {
        Stage stage = b.stages().get(i);
        Set<String> seen = new HashSet<>();
        List<String> deps = stage.dependsOn();
        String of = b.loop() == null ? "this pipeline" : "loop '" + b.loop().name() + "'";
        for (int j = 0; j < deps.size(); j++) {
            String dep = deps.get(j);
            if (dep.equals(stage.name())) {
                reportEntry(b, i, j, "dependsOn '" + dep + "' is the stage itself; a stage cannot depend on itself");
            } else if (!names.contains(dep)) {
                reportEntry(b, i, j, "dependsOn '" + dep + "' is not a stage of " + of);
            } else if (!seen.add(dep)) {
                reportEntry(b, i, j, "dependsOn lists '" + dep + "' more than once");
            }
        }
    }

    /** Every agent the stage names, wherever it names it, must be declared or registered. */
    private void checkAgents(Body b, int i) {
        Stage stage = b.stages().get(i);
        if (stage instanceof AgentStage s && s.selector() != null) {
            checkSelector(b, i, s.selector());
        } else if (stage instanceof AgentStage s) {
            checkAgent(b, i, "agent", s.agent());
        } else if (stage instanceof MultiAgentStage s) {
            for (int j = 0; j < s.agents().size(); j++) {
                checkAgent(b, i, "agents[" + j + "]", s.agents().get(j));
            }
        } else if (stage instanceof ForEachStage s) {
            checkAgent(b, i, "dynamic.template.agent", s.template().agent());
        }
        Compensation comp = stage.base().compensate();
        if (comp != null) {
            checkAgent(b, i, "compensate.agent", comp.agent());
        }
    }

    private void checkAgent(Body b, int i, String field, String agent) {
        if (agent != null && (!AGENT_NAME.matcher(agent).matches() || agent.length() > StoreLimits.AGENT)) {
            // A registry with a default agent knows every name: the name itself must still be one a queue can have.
            report(
                    b,
                    i,
                    field,
                    "agent name must match " + AGENT_NAME + " and have at most " + StoreLimits.AGENT
                            + " characters"
                            + (agent.length() > StoreLimits.AGENT
                                    ? " (it has " + agent.length() + ")"
                                    : ", not '" + agent + "'"));
        } else if (agent != null && !pipeline.agents().containsKey(agent) && !registry.knows(agent)) {
            report(b, i, field, "agent '" + agent + "' is not declared in spec.agents or config/agents.yaml");
        }
    }

    /**
     * A selector must match at least one agent of {@code spec.agents} or the registry (merged: the registry's role and
     * capabilities win), or its stage could never run.
     */
    private void checkSelector(Body b, int i, AgentSelector selector) {
        if (registry.open()) {
            return;
        }
        Map<String, AgentSpec> merged = new java.util.LinkedHashMap<>(pipeline.agents());
        for (AgentSpec listed : registry.listed()) {
            merged.put(listed.name(), listed.mergedWith(merged.get(listed.name())));
        }
        boolean any = merged.values().stream().anyMatch(a -> selector.matches(a.role(), a.capabilities()));
        if (!any) {
            // Only agents with a role or capabilities could ever match a selector: the others are not worth listing.
            List<AgentSpec> able = merged.values().stream()
                    .filter(a -> a.role() != null
                            || (a.capabilities() != null && !a.capabilities().isEmpty()))
                    .toList();
            report(
                    b,
                    i,
                    "agentSelector",
                    "agentSelector " + selector + " matches no agent of spec.agents or "
                            + "config/agents.yaml"
                            + (able.isEmpty()
                                    ? "; none declares a role or capabilities"
                                    : "; agents: " + describe(able)));
        }
    }

    private static String describe(java.util.Collection<AgentSpec> agents) {
        return agents.stream()
                .map(a -> a.name() + " " + a.capabilities() + (a.role() == null ? "" : " role " + a.role()))
                .sorted()
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /** The JSONPaths a stage reads through: its input, a for_each's items, a compensation's input, a ballot. */
    private void checkPaths(Body b, int i) {
        Stage stage = b.stages().get(i);
        checkPath(b, i, "input", stage.base().input());
        if (stage instanceof ForEachStage s) {
            checkPath(b, i, "dynamic.input", s.items());
        }
        if (stage instanceof MultiAgentStage s) {
            checkPath(b, i, "voteOn", s.voteOn());
        }
        if (stage.base().compensate() != null) {
            checkPath(b, i, "compensate.input", stage.base().compensate().input());
        }
    }

    private void checkPath(Body b, int i, String field, String path) {
        if (path == null) {
            return;
        }
        String invalid = field + " '" + path + "' is not a valid JSONPath: ";
        // Jayway quietly prefixes "$." to relative paths; a pipeline must say where it reads from.
        if (!path.startsWith("$")) {
            report(b, i, field, invalid + "it must start with $");
            return;
        }
        String unbalanced = unbalanced(path);
        if (unbalanced != null) {
            report(b, i, field, invalid + unbalanced);
            return;
        }
        try {
            JsonPath.compile(path);
        } catch (InvalidPathException | IllegalArgumentException e) {
            report(b, i, field, invalid + e.getMessage().strip());
        }
    }

    /** Conditions and a loop's until are compiled (parsed and type-checked) against the names visible there. */
    private void checkExpressions(Body b, int i) {
        Stage stage = b.stages().get(i);
        checkExpression(b, i, "condition", "condition", stage.base().condition(), b.loop());
        if (stage instanceof LoopStage loop) {
            checkExpression(b, i, "loop.until", "until", loop.until(), loop);
        }
    }

    private void checkExpression(Body b, int i, String field, String label, String source, LoopStage loop) {
        if (source == null) {
            return;
        }
        try {
            Expression.compile(source, ConditionVariables.visible(pipeline, loop));
        } catch (ExpressionException e) {
            report(b, i, field, label + " '" + source + "' is not valid: " + e.getMessage());
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

    private void checkOutput(Body b, int i) {
        String output = b.stages().get(i).base().output();
        if (output == null) {
            return;
        }
        if (!OUTPUT.matcher(output).matches()) {
            report(
                    b,
                    i,
                    "output",
                    "output '" + output + "' must be a path of names like $.research or $.review.summary");
        } else if (output.equals("$.params") || output.startsWith("$.params.")) {
            report(b, i, "output", "output '" + output + "' must not be under $.params, which holds the run's params");
        }
    }

    private void checkCycles(Body b, Map<String, Integer> firstIndex) {
        for (List<String> cycle : Dag.cycles(b.stages())) {
            int i = firstIndex.get(cycle.get(0));
            String next = cycle.size() > 1 ? cycle.get(1) : cycle.get(0);
            int entry = b.stages().get(i).dependsOn().indexOf(next);
            reportEntry(b, i, entry, "dependsOn forms a cycle: " + String.join(" -> ", cycle) + " -> " + cycle.get(0));
        }
    }

    private void report(Body b, int i, String field, String message) {
        Location at = b.where().find(i, field, b.stages().get(i).location());
        violations.add(Violation.inStage(at, b.name(i), message));
    }

    private void reportEntry(Body b, int i, int entry, String message) {
        Location at =
                b.where().findEntry(i, "dependsOn", entry, b.stages().get(i).location());
        violations.add(Violation.inStage(at, b.name(i), message));
    }
}
