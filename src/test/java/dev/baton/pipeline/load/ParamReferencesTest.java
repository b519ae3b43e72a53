package dev.baton.pipeline.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.baton.pipeline.AgentCatalog;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.ParamSpec;
import dev.baton.pipeline.Params;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** Params read by expressions: taken as the params of an orchestra.io/v1 file that declares none, warned of otherwise. */
class ParamReferencesTest {
    private static final String FIXTURE = "valid/orchestra-params.yaml";

    private static String fixture() throws Exception {
        return Files.readString(PipelineFixturesTest.root().resolve(FIXTURE));
    }

    @Test
    void anOrchestraFileWithoutParamsTakesTheParamsItsExpressionsRead() throws Exception {
        LoadResult r = PipelineLoader.read(fixture(), FIXTURE, AgentCatalog.none());

        assertThat(r.violations()).isEmpty();
        assertThat(r.warnings()).isEmpty();
        assertThat(r.pipeline().params())
                .containsExactly(
                        java.util.Map.entry("task", new ParamSpec("task", false, null)),
                        java.util.Map.entry("mode", new ParamSpec("mode", false, null)),
                        java.util.Map.entry("target", new ParamSpec("target", false, null)));

        Params.Resolution ok =
                Params.resolve(r.pipeline(), Json.parse("{\"task\": \"fix the login\", \"mode\": \"fast\"}"));
        assertThat(ok.problems()).isEmpty();
        assertThat(ok.params()).isEqualTo(Json.parse("{\"task\": \"fix the login\", \"mode\": \"fast\"}"));
        assertThat(Params.resolve(r.pipeline(), JsonNodeFactory.instance.objectNode())
                        .problems())
                .as("Orchestra does not require them")
                .isEmpty();
        assertThat(Params.resolve(r.pipeline(), Json.parse("{\"tsak\": 1}")).problems())
                .containsExactly("unknown param 'tsak'; declared params are mode, target, task");
    }

    @Test
    void theSameFileAsBatonDeclaresNoParamsAndIsWarnedOfEachOneItReads() throws Exception {
        LoadResult r =
                PipelineLoader.read(fixture().replace("orchestra.io/v1", "baton/v1"), FIXTURE, AgentCatalog.none());

        assertThat(r.ok()).as("a warning never fails the file").isTrue();
        assertThat(r.pipeline().params()).isEmpty();
        assertThat(r.warnings())
                .map(Object::toString)
                .containsExactly(
                        FIXTURE
                                + ":16:16 stage 'plan': input reads param 'task', which spec.params does not declare, so a run "
                                + "cannot set it; this pipeline declares no params",
                        FIXTURE
                                + ":25:20 stage 'quick-test': condition reads param 'mode', which spec.params does not declare, "
                                + "so a run cannot set it; this pipeline declares no params",
                        FIXTURE
                                + ":27:16 stage 'quick-test': input reads param 'target', which spec.params does not declare, "
                                + "so a run cannot set it; this pipeline declares no params",
                        FIXTURE
                                + ":30:20 stage 'full-test': condition reads param 'mode', which spec.params does not declare, "
                                + "so a run cannot set it; this pipeline declares no params");
    }

    @Test
    void declaredParamsAreNotInferredAndAUndeclaredOneIsWarnedOfInLoopsAndCompensationsToo() {
        LoadResult r = PipelineLoader.read("""
                apiVersion: orchestra.io/v1
                kind: Pipeline
                metadata: {name: declared}
                spec:
                  params:
                    topic: {required: true}
                  schedule: {cron: "0 0 9 * * ?", params: {topic: daily}}
                  pipeline:
                    stages:
                      - name: draft
                        agent: writer
                        input: "$.params.topic"
                        compensate: {agent: writer, input: "$.params.undo"}
                      - name: refine
                        dependsOn: [draft]
                        loop:
                          until: 'params.enough || iteration >= 2'
                          maxIterations: 3
                          stages:
                            - {name: critique, agent: critic, input: "$.params.topc"}
                """, "declared.yaml", AgentCatalog.any());

        assertThat(r.ok()).as(r.violations().toString()).isTrue();
        assertThat(r.pipeline().params()).containsOnlyKeys("topic");
        assertThat(r.warnings())
                .map(Object::toString)
                .containsExactly(
                        "declared.yaml:13:44 stage 'draft': compensate.input reads param 'undo', which spec.params does not "
                                + "declare, so a run cannot set it; declared params are topic",
                        "declared.yaml:17:18 stage 'refine': loop.until reads param 'enough', which spec.params does not "
                                + "declare, so a run cannot set it; declared params are topic",
                        "declared.yaml:20:54 stage 'refine/critique': input reads param 'topc', which spec.params does not "
                                + "declare, so a run cannot set it; declared params are topic");
    }

    @Test
    void aScheduleMayNameTheParamsAnOrchestraFileReads() {
        LoadResult r = PipelineLoader.read("""
                apiVersion: orchestra.io/v1
                kind: Pipeline
                metadata: {name: nightly}
                spec:
                  schedule: {cron: "0 0 2 * * ?", params: {task: nightly build}}
                  pipeline:
                    stages:
                      - {name: build, agent: builder, input: "$.params.task"}
                """, "nightly.yaml", AgentCatalog.any());

        assertThat(r.violations()).isEmpty();
        assertThat(r.pipeline().schedule().params().path("task").asText()).isEqualTo("nightly build");
    }
}
