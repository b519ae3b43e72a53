package dev.baton.pipeline.expr;

import dev.baton.pipeline.LoopStage;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.Stage;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The names a pipeline's conditions may use: {@code params}, {@code outputs}, {@code iteration} inside loops, every
 * stage name that is an identifier, and the first name of every stage's {@code output} path.
 */
public final class ConditionVariables {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private ConditionVariables() {}

    /** Every name any condition of the pipeline may use, wherever it is written. */
    public static Set<String> of(Pipeline p) {
        Set<String> names = contextNames(p);
        names.add("iteration");
        addStageNames(p.stages(), names, true);
        return names;
    }

    /**
     * The names a condition may use where it is written: outside loops, the top-level stage names; inside
     * {@code loop} (its inner stages' conditions and its {@code until}), also {@code iteration} and the inner stage
     * names. Output paths are fields of the run context and are visible everywhere.
     */
    public static Set<String> visible(Pipeline p, LoopStage loop) {
        Set<String> names = contextNames(p);
        addStageNames(p.stages(), names, false);
        if (loop != null) {
            names.add("iteration");
            addStageNames(loop.stages(), names, false);
        }
        return names;
    }

    private static Set<String> contextNames(Pipeline p) {
        Set<String> names = new TreeSet<>(List.of("params", "outputs"));
        addOutputs(p.stages(), names);
        return names;
    }

    private static void addStageNames(List<Stage> stages, Set<String> names, boolean deep) {
        for (Stage st : stages) {
            if (IDENTIFIER.matcher(st.name()).matches()) {
                names.add(st.name());
            }
            if (deep && st instanceof LoopStage loop) {
                addStageNames(loop.stages(), names, true);
            }
        }
    }

    private static void addOutputs(List<Stage> stages, Set<String> names) {
        for (Stage st : stages) {
            String out = st.base().output();
            if (out != null && out.startsWith("$.")) {
                String first = out.substring(2).split("[.\\[]", 2)[0];
                if (IDENTIFIER.matcher(first).matches()) {
                    names.add(first);
                }
            }
            if (st instanceof LoopStage loop) {
                addOutputs(loop.stages(), names);
            }
        }
    }
}
