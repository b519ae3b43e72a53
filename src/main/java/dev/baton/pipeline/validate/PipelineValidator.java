package dev.baton.pipeline.validate;

import dev.baton.pipeline.AgentCatalog;
import dev.baton.pipeline.AgentSpec;
import dev.baton.pipeline.LoopStage;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.Stage;
import dev.baton.pipeline.StoreLimits;
import dev.baton.pipeline.Violation;
import dev.baton.pipeline.expr.ConditionVariables;
import dev.baton.pipeline.expr.Expression;
import dev.baton.pipeline.expr.ExpressionException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules that span fields or stages of a typed pipeline, in loop bodies too: unique names, a dependsOn DAG,
 * known agents, usable JSONPaths and conditions that compile. Rules about a single field's shape belong to the loader, which sees the YAML.
 */
public final class PipelineValidator {
    private final Pipeline pipeline;
    private final AgentCatalog registry;
    private final SourceMap where;
    private final int maxStages;
    private final AgentRules agentRules;
    private final List<Violation> violations = new ArrayList<>();

    private PipelineValidator(Pipeline pipeline, AgentCatalog registry, SourceMap where, int maxStages) {
        this.pipeline = pipeline;
        this.registry = registry;
        this.where = where;
        this.maxStages = maxStages;
        this.agentRules = new AgentRules(pipeline, registry);
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

    private void run() {
        for (AgentSpec declared : pipeline.agents().values()) {
            if (declared.declaration() != null) {
                violations.addAll(registry.checkDeclared(declared, pipeline.file(), pipeline.source()));
            }
        }
        checkStageCount();
        check(new Body(pipeline.stages(), where, null, violations), Map.of());
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
                b.report(i, "name", "duplicate stage name '" + stage.name() + "' (first at line " + line + ")");
            } else if (outer.containsKey(stage.name())) {
                b.report(
                        i,
                        "name",
                        "stage name '" + stage.name() + "' is already used outside the loop (line "
                                + outer.get(stage.name()) + ")");
            }
        }
        for (int i = 0; i < stages.size(); i++) {
            if (b.name(i).length() > StoreLimits.NAME) {
                b.report(
                        i,
                        "name",
                        (b.loop() == null ? "name" : "name, with its loop's,") + " is "
                                + b.name(i).length() + " characters; at most " + StoreLimits.NAME + " are allowed");
            }
            checkDependsOn(b, i, firstIndex.keySet());
            agentRules.check(b, i);
            PathRules.check(b, i);
            checkExpressions(b, i);
            if (stages.get(i) instanceof LoopStage loop) {
                Map<String, Integer> names = new HashMap<>();
                stages.forEach(st -> names.putIfAbsent(st.name(), st.location().line()));
                check(b.loopBody(i, loop), names);
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
                b.reportEntry(i, j, "dependsOn '" + dep + "' is the stage itself; a stage cannot depend on itself");
            } else if (!names.contains(dep)) {
                b.reportEntry(i, j, "dependsOn '" + dep + "' is not a stage of " + of);
            } else if (!seen.add(dep)) {
                b.reportEntry(i, j, "dependsOn lists '" + dep + "' more than once");
            }
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
            b.report(i, field, label + " '" + source + "' is not valid: " + e.getMessage());
        }
    }

    private void checkCycles(Body b, Map<String, Integer> firstIndex) {
        for (List<String> cycle : Dag.cycles(b.stages())) {
            int i = firstIndex.get(cycle.get(0));
            String next = cycle.size() > 1 ? cycle.get(1) : cycle.get(0);
            int entry = b.stages().get(i).dependsOn().indexOf(next);
            b.reportEntry(i, entry, "dependsOn forms a cycle: " + String.join(" -> ", cycle) + " -> " + cycle.get(0));
        }
    }
}
