package dev.baton.pipeline.expr;

import dev.baton.pipeline.LoopStage;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.Stage;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The names a pipeline's conditions may use: {@code params}, {@code outputs}, {@code iteration}, every stage name
 * that is an identifier, and the first name of every stage's {@code output} path.
 */
public final class ConditionVariables {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private ConditionVariables() {}

    public static Set<String> of(Pipeline p) {
        Set<String> names = new TreeSet<>(List.of("params", "outputs", "iteration"));
        add(p.stages(), names);
        return names;
    }

    private static void add(List<Stage> stages, Set<String> names) {
        for (Stage st : stages) {
            if (IDENTIFIER.matcher(st.name()).matches()) {
                names.add(st.name());
            }
            String out = st.base().output();
            if (out != null && out.startsWith("$.")) {
                String first = out.substring(2).split("[.\\[]", 2)[0];
                if (IDENTIFIER.matcher(first).matches()) {
                    names.add(first);
                }
            }
            if (st instanceof LoopStage loop) {
                add(loop.stages(), names);
            }
        }
    }
}
