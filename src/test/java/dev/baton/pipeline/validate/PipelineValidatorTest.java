package dev.baton.pipeline.validate;

import static dev.baton.pipeline.validate.DagTest.pipeline;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.pipeline.AgentCatalog;
import dev.baton.pipeline.AgentStage;
import dev.baton.pipeline.Location;
import dev.baton.pipeline.RetryPolicy;
import dev.baton.pipeline.Stage;
import dev.baton.pipeline.StageBase;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The validator on a model built in code, where there is no YAML to point into. */
class PipelineValidatorTest {
    private static Stage stage(String name, int line, String agent, String input, String output, String... deps) {
        StageBase base = new StageBase(
                name,
                List.of(deps),
                input,
                output,
                null,
                RetryPolicy.NONE,
                4,
                null,
                null,
                null,
                new Location("p.yaml", line, 7));
        return new AgentStage(base, agent);
    }

    @Test
    void pointsAtTheStageWhenNoSourceMapIsGiven() {
        var p = pipeline(
                stage("a", 3, "known", "$.params", "$.a"),
                stage("b", 8, "ghost", "$[", "$.params", "a", "a", "zzz"),
                stage("a", 12, "known", null, null));

        var violations = PipelineValidator.validate(p, AgentCatalog.of(Set.of("known")));

        assertThat(violations)
                .map(Object::toString)
                .containsExactly(
                        "p.yaml:12:7 stage 'a': duplicate stage name 'a' (first at line 3)",
                        "p.yaml:8:7 stage 'b': dependsOn lists 'a' more than once",
                        "p.yaml:8:7 stage 'b': dependsOn 'zzz' is not a stage of this pipeline",
                        "p.yaml:8:7 stage 'b': agent 'ghost' is not declared in spec.agents or config/agents.yaml",
                        "p.yaml:8:7 stage 'b': input '$[' is not a valid JSONPath: '[' is not closed",
                        "p.yaml:8:7 stage 'b': output '$.params' must not be under $.params, which holds the run's params");
    }

    @Test
    void acceptsAValidPipeline() {
        var p = pipeline(
                stage("a", 3, "known", "$.params.topic", "$.a_1.b-2"), stage("b", 8, "known", "$..a", null, "a"));

        assertThat(PipelineValidator.validate(p, AgentCatalog.of(Set.of("known"))))
                .isEmpty();
    }
}
