package dev.baton.compile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.pipeline.Pipeline;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.FailedToStartRouteException;
import org.apache.camel.Route;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A revision's routes go into a running CamelContext a chunk at a time, and the context ends up as one {@code
 * addRoutes} would leave it: the same routes with the same ids, all started, what the builder declares for all its
 * routes applied to each, a duplicate id refused wherever it is, and nothing left behind when adding fails.
 */
class ChunkedRoutesTest {
    /** More routes than fit in two chunks, so that the first and the last are in different chunks. */
    static final int ROUTES = ChunkedRoutes.CHUNK * 2 + 7;

    DefaultCamelContext camel;

    @BeforeEach
    void start() {
        camel = new DefaultCamelContext();
        camel.start();
    }

    @AfterEach
    void close() throws Exception {
        camel.close();
    }

    @Test
    void aRevisionOfManyStagesHasTheRoutesAndIdsOfOneAddRoutesAllStarted() throws Exception {
        Pipeline p = RevisionLoadBench.chain(200);
        PipelineCompiler compiler = new PipelineCompiler((n, b, k) -> null, new PrintedProcessors());
        List<RouteDefinition> expected;
        try (DefaultCamelContext reference = new DefaultCamelContext()) {
            reference.addRoutes(compiler.revision(p));
            expected = reference.getRouteDefinitions();
        }
        assertThat(expected).hasSizeGreaterThan(ChunkedRoutes.CHUNK * 3);

        new RevisionRoutes(camel, compiler, Clock.systemUTC()).ensure(p);

        assertThat(camel.getRouteDefinitions())
                .extracting(RouteDefinition::getRouteId)
                .containsExactlyElementsOf(
                        expected.stream().map(RouteDefinition::getRouteId).toList());
        assertThat(camel.getRoutes())
                .extracting(Route::getRouteId)
                .containsExactlyInAnyOrderElementsOf(
                        expected.stream().map(RouteDefinition::getRouteId).toList());
        assertThat(camel.getRouteDefinitions())
                .allSatisfy(r -> assertThat(camel.getRouteController().getRouteStatus(r.getRouteId()))
                        .as(r.getRouteId())
                        .matches(s -> s.isStarted()));
        for (int i = 0; i < expected.size(); i++) {
            assertThat(nodeIds(camel.getRouteDefinitions().get(i))).isEqualTo(nodeIds(expected.get(i)));
        }
    }

    @Test
    void whatTheBuilderDeclaresForAllItsRoutesAppliesInEveryChunk() throws Exception {
        ChunkedRoutes.add(camel, new RouteBuilder() {
            @Override
            public void configure() {
                onException(IllegalStateException.class).handled(true).setBody(constant("handled"));
                for (int i = 0; i < ROUTES; i++) {
                    from("direct:r" + i).routeId("r" + i).throwException(new IllegalStateException("r" + i));
                }
            }
        });

        try (var template = camel.createProducerTemplate()) {
            assertThat(template.requestBody("direct:r0", "x", String.class)).isEqualTo("handled");
            assertThat(template.requestBody("direct:r" + (ROUTES - 1), "x", String.class))
                    .isEqualTo("handled");
        }
    }

    @Test
    void aDuplicateIdInAnotherChunkIsRefusedAndNothingIsAdded() throws Exception {
        addUnrelatedRoute();

        assertThatThrownBy(() -> ChunkedRoutes.add(camel, routes(i -> i == 0 || i == ROUTES - 1 ? "twice" : "n" + i)))
                .isInstanceOf(FailedToStartRouteException.class)
                .hasMessageContaining("Duplicate id detected: twice");

        assertOnlyTheUnrelatedRouteIsLeft();
    }

    @Test
    void aRouteThatFailsInALaterChunkTakesTheRoutesAddedBeforeItAway() throws Exception {
        addUnrelatedRoute();
        RouteBuilder failsLast = new RouteBuilder() {
            @Override
            public void configure() {
                for (int i = 0; i < ROUTES; i++) {
                    from("direct:r" + i).routeId("r" + i).to(i == ROUTES - 1 ? "nosuchcomponent:x" : "log:r" + i);
                }
            }
        };

        assertThatThrownBy(() -> ChunkedRoutes.add(camel, failsLast)).hasStackTraceContaining("nosuchcomponent");

        assertOnlyTheUnrelatedRouteIsLeft();
    }

    private RouteBuilder routes(java.util.function.IntFunction<String> nodeId) {
        return new RouteBuilder() {
            @Override
            public void configure() {
                for (int i = 0; i < ROUTES; i++) {
                    from("direct:r" + i).routeId("r" + i).log("r" + i).id(nodeId.apply(i));
                }
            }
        };
    }

    private void addUnrelatedRoute() throws Exception {
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:unrelated").routeId("unrelated").log("unrelated");
            }
        });
    }

    private void assertOnlyTheUnrelatedRouteIsLeft() {
        assertThat(camel.getRoutes()).extracting(Route::getRouteId).containsExactly("unrelated");
        assertThat(camel.getRouteDefinitions())
                .extracting(RouteDefinition::getRouteId)
                .containsExactly("unrelated");
        assertThat(camel.getRouteController().getRouteStatus("unrelated").isStarted())
                .isTrue();
    }

    private static List<String> nodeIds(RouteDefinition r) {
        return ProcessorDefinitionHelper.gatherAllNodeIds(r, new ArrayList<>(), true, false);
    }
}
