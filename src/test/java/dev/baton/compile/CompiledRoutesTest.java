package dev.baton.compile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.pipeline.AgentCatalog;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.load.PipelineLoader;
import java.util.List;
import java.util.stream.Stream;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.AggregateDefinition;
import org.apache.camel.model.ChoiceDefinition;
import org.apache.camel.model.FilterDefinition;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RecipientListDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SplitDefinition;
import org.apache.camel.model.WhenDefinition;
import org.apache.camel.model.language.LanguageExpression;
import org.apache.camel.util.concurrent.SynchronousExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each stage kind compiles to the Enterprise Integration Patterns it is made of, read from the route model Camel
 * holds (how each behaves is proven by the stage-kind tests in {@code dev.baton.runtime}, which run on these routes).
 */
class CompiledRoutesTest {
    static final String PIPELINE = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: kinds}
            spec:
              pipeline:
                stages:
                  - name: plan
                    agent: planner
                    compensate: {agent: unplanner}
                  - name: review
                    dependsOn: [plan]
                    agents: [a, b, c]
                    aggregateStrategy: vote
                  - name: fix
                    dependsOn: [review]
                    condition: 'review.decision == "reject"'
                    dynamic:
                      generator: for_each
                      input: $.params.issues
                      maxParallel: 2
                      template: {agent: fixer}
                  - name: refine
                    dependsOn: [plan]
                    loop:
                      until: 'iteration >= 2'
                      maxIterations: 3
                      stages:
                        - {name: draft, agent: drafter}
                  - name: gate
                    dependsOn: [fix, refine]
                    approval: {approvers: [alice]}
            """;

    DefaultCamelContext camel;
    Pipeline p;

    @BeforeEach
    void compile() throws Exception {
        var loaded = PipelineLoader.read(PIPELINE, "kinds.yaml", AgentCatalog.any());
        assertThat(loaded.violations()).isEmpty();
        p = loaded.pipeline();
        camel = new DefaultCamelContext();
        camel.addRoutes(new PipelineCompiler((n, b, k) -> null, new PrintedProcessors()).revision(p));
    }

    @AfterEach
    void close() throws Exception {
        camel.close();
    }

    RouteDefinition route(String stage, String part) {
        String id = Endpoints.stageRoute(p.name(), p.revision(), stage, part);
        return camel.getRouteDefinitions().stream()
                .filter(r -> r.getRouteId().equals(id))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no route " + id));
    }

    /** Every processor of the route, nested ones included. */
    static List<ProcessorDefinition<?>> all(RouteDefinition r) {
        return r.getOutputs().stream()
                .flatMap(CompiledRoutesTest::flat)
                .distinct()
                .toList();
    }

    private static Stream<ProcessorDefinition<?>> flat(ProcessorDefinition<?> d) {
        List<ProcessorDefinition<?>> children = new java.util.ArrayList<>(d.getOutputs());
        if (d instanceof ChoiceDefinition c) {
            c.getWhenClauses().forEach(w -> children.addAll(w.getOutputs()));
            if (c.getOtherwise() != null) {
                children.addAll(c.getOtherwise().getOutputs());
            }
        }
        return Stream.concat(Stream.of(d), children.stream().flatMap(CompiledRoutesTest::flat));
    }

    static <T> List<T> of(RouteDefinition r, Class<T> type) {
        return all(r).stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Test
    void routeIdsNameThePipelineTheRevisionTheStageAndThePart() {
        assertThat(camel.getRouteDefinitions())
                .extracting(RouteDefinition::getRouteId)
                .allMatch(id -> id.startsWith("baton.kinds." + p.revision().substring(0, 8) + "."))
                .contains(
                        "baton.kinds." + p.revision().substring(0, 8) + ".refine.draft.run",
                        "baton.kinds." + p.revision().substring(0, 8) + ".end");
    }

    @Test
    void anAgentStageDispatchesOneTicketAndItsOutcomeIsTheStages() {
        assertThat(all(route("plan", "run")))
                .extracting(ProcessorDefinition::getId)
                .containsExactly(
                        route("plan", "run").getRouteId() + ".queue",
                        route("plan", "run").getRouteId() + ".dispatch");
        assertThat(route("plan", "compensate").getOutputs()).hasSize(1);
    }

    @Test
    void aMultiAgentStageIsARecipientListAndAnAggregatorOverItsTicketsThatCompletesInline() {
        RecipientListDefinition<?> list =
                of(route("review", "run"), RecipientListDefinition.class).get(0);
        assertThat(list.getExpression().getExpression())
                .isEqualTo(String.join(
                        ",",
                        Endpoints.direct(Endpoints.stageRoute(p.name(), p.revision(), "review", "agent-0")),
                        Endpoints.direct(Endpoints.stageRoute(p.name(), p.revision(), "review", "agent-1")),
                        Endpoints.direct(Endpoints.stageRoute(p.name(), p.revision(), "review", "agent-2"))));
        AggregateDefinition agg =
                of(route("review", "ended"), AggregateDefinition.class).get(0);
        assertThat(agg.getAggregationRepositoryBean()).isNotNull();
        assertThat(agg.getCompletionPredicate()).isNotNull();
        assertThat(agg.getExecutorServiceBean()).isInstanceOf(SynchronousExecutorService.class);
    }

    @Test
    void aForEachStageIsAStreamingSplitterAndAnAggregatorOverItsCounters() {
        assertThat(of(route("fix", "run"), FilterDefinition.class)).hasSize(1);
        SplitDefinition split = of(route("fix", "run"), SplitDefinition.class).get(0);
        assertThat(split.getStreaming()).isEqualTo("true");
        assertThat(of(route("fix", "ended"), AggregateDefinition.class))
                .singleElement()
                .satisfies(a -> assertThat(a.getExecutorServiceBean()).isInstanceOf(SynchronousExecutorService.class));
    }

    @Test
    void aConditionIsAChoiceOnACelExpression() {
        WhenDefinition when = of(route("fix", "condition"), ChoiceDefinition.class)
                .get(0)
                .getWhenClauses()
                .get(0);
        LanguageExpression cel = (LanguageExpression) when.getExpression();
        assertThat(cel.getLanguage()).isEqualTo("cel");
        assertThat(cel.getExpression()).isEqualTo("review.decision == \"reject\"");
    }

    @Test
    void dependsOnIsAJoinAggregatorAndAStageThatEndsTellsItsDependentsAndItsScope() {
        assertThat(of(route("gate", "join"), AggregateDefinition.class)).hasSize(1);
        RecipientListDefinition<?> next =
                of(route("plan", "done"), RecipientListDefinition.class).get(0);
        assertThat(next.getExpression().getExpression())
                .isEqualTo(String.join(
                        ",",
                        Endpoints.direct(Endpoints.stageRoute(p.name(), p.revision(), "review", "join")),
                        Endpoints.direct(Endpoints.stageRoute(p.name(), p.revision(), "refine", "join")),
                        Endpoints.direct(Endpoints.runRoute(p.name(), p.revision(), "end"))));
    }

    @Test
    void aLoopAggregatesItsIterationAndChoosesOnUntil() {
        RouteDefinition iteration = route("refine", "iteration");
        assertThat(of(iteration, AggregateDefinition.class)).hasSize(1);
        WhenDefinition until =
                of(iteration, ChoiceDefinition.class).get(0).getWhenClauses().get(0);
        assertThat(((LanguageExpression) until.getExpression()).getExpression()).isEqualTo("iteration >= 2");
        // an inner stage's end goes to the loop's iteration, not to the run's
        RecipientListDefinition<?> next =
                of(route("refine/draft", "done"), RecipientListDefinition.class).get(0);
        assertThat(next.getExpression().getExpression())
                .isEqualTo(Endpoints.direct(Endpoints.stageRoute(p.name(), p.revision(), "refine", "iteration")));
    }

    @Test
    void anApprovalStageHasRoutesForItsDecisionsAndItsTimeout() {
        assertThat(route("gate", "decide").getOutputs()).hasSize(1);
        assertThat(route("gate", "timeout").getOutputs()).hasSize(1);
    }
}
