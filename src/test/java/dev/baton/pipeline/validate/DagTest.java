package dev.baton.pipeline.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.pipeline.AgentStage;
import dev.baton.pipeline.Location;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.RetryPolicy;
import dev.baton.pipeline.Stage;
import dev.baton.pipeline.StageBase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Run order and waves of dependsOn graphs. */
class DagTest {
    static Stage stage(String name, String... deps) {
        StageBase base = new StageBase(
                name,
                List.of(deps),
                null,
                null,
                null,
                RetryPolicy.NONE,
                4,
                null,
                null,
                null,
                new Location("p.yaml", 1, 1));
        return new AgentStage(base, "agent");
    }

    static Pipeline pipeline(List<Stage> stages) {
        return new Pipeline("baton/v1", "p", null, "p.yaml", "rev", "", Map.of(), Map.of(), stages);
    }

    static Pipeline pipeline(Stage... stages) {
        return pipeline(Arrays.asList(stages));
    }

    private static final Pipeline DIAMOND = pipeline(
            stage("research"),
            stage("draft-a", "research"),
            stage("draft-b", "research"),
            stage("review", "draft-b", "draft-a"));

    @Test
    void diamondRunsInThreeWaves() {
        assertThat(Dag.waves(DIAMOND))
                .containsExactly(List.of("research"), List.of("draft-a", "draft-b"), List.of("review"));
        assertThat(Dag.topologicalOrder(DIAMOND)).containsExactly("research", "draft-a", "draft-b", "review");
        assertThat(Dag.dependents(DIAMOND))
                .containsExactly(
                        Map.entry("research", List.of("draft-a", "draft-b")),
                        Map.entry("draft-a", List.of("review")),
                        Map.entry("draft-b", List.of("review")),
                        Map.entry("review", List.of()));
    }

    /** A 5 x 10 grid where each cell waits for the one above it and the one to its left. */
    @Test
    void latticeOfFiftyStagesRunsInAntiDiagonalWaves() {
        int rows = 5;
        int cols = 10;
        List<Stage> stages = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                List<String> deps = new ArrayList<>();
                if (r > 0) {
                    deps.add(cell(r - 1, c));
                }
                if (c > 0) {
                    deps.add(cell(r, c - 1));
                }
                stages.add(stage(cell(r, c), deps.toArray(String[]::new)));
            }
        }

        List<List<String>> waves = Dag.waves(pipeline(stages));

        assertThat(waves).hasSize(rows + cols - 1);
        for (int k = 0; k < waves.size(); k++) {
            List<String> expected = new ArrayList<>();
            for (int r = 0; r < rows; r++) {
                int c = k - r;
                if (c >= 0 && c < cols) {
                    expected.add(cell(r, c));
                }
            }
            assertThat(waves.get(k)).as("wave %d", k).containsExactlyElementsOf(expected);
        }
        assertThat(waves.stream().mapToInt(List::size).sum()).isEqualTo(50);
    }

    @Test
    void topologicalOrderPutsEveryStageAfterItsDependenciesEvenWhenTheFileIsBackwards() {
        List<Stage> stages = new ArrayList<>();
        for (int r = 0; r < 5; r++) {
            for (int c = 0; c < 10; c++) {
                stages.add(
                        stage(cell(r, c), r > 0 ? cell(r - 1, (c * 3) % 10) : "n/a", c > 0 ? cell(r, c - 1) : "n/a"));
            }
        }
        Collections.reverse(stages);
        Pipeline p = pipeline(stages);

        List<String> order = Dag.topologicalOrder(p);

        assertThat(order).hasSize(50).doesNotHaveDuplicates();
        for (Stage s : stages) {
            for (String dep : s.dependsOn()) {
                if (!dep.equals("n/a")) {
                    assertThat(order.indexOf(dep))
                            .as("%s before %s", dep, s.name())
                            .isLessThan(order.indexOf(s.name()));
                }
            }
        }
        assertThat(Dag.waves(p).get(0)).containsExactly("r0c0");
    }

    @Test
    void keepsFileOrderWhenItIsAlreadyARunOrder() {
        Pipeline p = pipeline(stage("a"), stage("b", "a"), stage("c"), stage("d", "c", "b"));

        assertThat(Dag.topologicalOrder(p)).containsExactly("a", "b", "c", "d");
        assertThat(Dag.waves(p)).containsExactly(List.of("a", "c"), List.of("b"), List.of("d"));
    }

    @Test
    void findsEachCycleOnceStartingAtItsFirstStage() {
        Pipeline p = pipeline(
                stage("x"),
                stage("a", "c"),
                stage("b", "a"),
                stage("c", "b", "x"),
                stage("p", "q"),
                stage("q", "p"),
                stage("self", "self"));

        assertThat(Dag.cycles(p)).containsExactly(List.of("a", "c", "b"), List.of("p", "q"));
        assertThatThrownBy(() -> Dag.waves(p))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dependsOn forms a cycle: a -> c -> b -> a");
        assertThatThrownBy(() -> Dag.topologicalOrder(p)).hasMessage("dependsOn forms a cycle: a -> c -> b -> a");
        assertThat(Dag.cycles(DIAMOND)).isEmpty();
    }

    @Test
    void handlesLongChainsWithoutRecursion() {
        List<Stage> chain = new ArrayList<>();
        chain.add(stage("s0", "s19999"));
        for (int i = 1; i < 20_000; i++) {
            chain.add(stage("s" + i, "s" + (i - 1)));
        }

        assertThat(Dag.cycles(pipeline(chain))).singleElement().asList().hasSize(20_000);
        chain.set(0, stage("s0"));
        assertThat(Dag.waves(pipeline(chain))).hasSize(20_000);
    }

    private static String cell(int r, int c) {
        return "r" + r + "c" + c;
    }
}
