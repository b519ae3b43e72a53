package dev.baton.pipeline.expr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Compiling and evaluating stage conditions written in CEL. */
class ExpressionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> CONTEXT = Set.of("params", "review", "outputs", "iteration");

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private static boolean eval(String source, Map<String, JsonNode> values) throws Exception {
        return Expression.compile(source, CONTEXT).test(values);
    }

    @Test
    void comparesAStringField() throws Exception {
        Expression e = Expression.compile("review.decision == \"reject\"", Set.of("params", "review"));

        assertThat(e.source()).isEqualTo("review.decision == \"reject\"");
        assertThat(e.test(Map.of("review", json("{\"decision\": \"reject\"}")))).isTrue();
        assertThat(e.test(Map.of("review", json("{\"decision\": \"accept\"}")))).isFalse();
    }

    @Test
    void comparesAJsonIntegerWithAnIntLiteral() throws Exception {
        assertThat(eval("params.count > 3", Map.of("params", json("{\"count\": 4}"))))
                .isTrue();
        assertThat(eval("params.count > 3", Map.of("params", json("{\"count\": 3}"))))
                .isFalse();
        // A JSON number with a fraction is a double; CEL still compares it with an int literal.
        assertThat(eval("params.count > 3", Map.of("params", json("{\"count\": 3.5}"))))
                .isTrue();
    }

    @Test
    void indexesAMapByAKeyThatIsNotAnIdentifier() throws Exception {
        String source = "size(outputs[\"fact-check\"].issues) == 0";

        assertThat(eval(source, Map.of("outputs", json("{\"fact-check\": {\"issues\": []}}"))))
                .isTrue();
        assertThat(eval(source, Map.of("outputs", json("{\"fact-check\": {\"issues\": [{\"line\": 3}]}}"))))
                .isFalse();
    }

    @Test
    void hasGuardsAnOptionalField() throws Exception {
        String source = "has(review.score) && review.score >= 0.8";

        assertThat(eval(source, Map.of("review", json("{\"score\": 0.9}")))).isTrue();
        assertThat(eval(source, Map.of("review", json("{\"score\": 0.5}")))).isFalse();
        assertThat(eval(source, Map.of("review", json("{\"score\": 1}")))).isTrue();
        assertThat(eval(source, Map.of("review", json("{}")))).isFalse();
    }

    @Test
    void comparesATopLevelNumber() throws Exception {
        Expression e = Expression.compile("iteration >= 2", CONTEXT);

        assertThat(e.test(Map.of("iteration", json("2")))).isTrue();
        assertThat(e.test(Map.of("iteration", json("1")))).isFalse();
    }

    @Test
    void macrosOverListsWork() throws Exception {
        JsonNode outputs = json("{\"votes\": [{\"ok\": true}, {\"ok\": true}, {\"ok\": false}]}");

        assertThat(eval("outputs.votes.exists(v, !v.ok)", Map.of("outputs", outputs)))
                .isTrue();
        assertThat(eval("outputs.votes.all(v, v.ok)", Map.of("outputs", outputs)))
                .isFalse();
        assertThat(eval("size(outputs.votes.filter(v, v.ok)) == 2", Map.of("outputs", outputs)))
                .isTrue();
    }

    @Test
    void anAbsentVariableIsNull() throws Exception {
        assertThat(eval("review == null", Map.of())).isTrue();
        assertThat(eval("review == null", Map.of("review", json("{}")))).isFalse();
    }

    @Test
    void jsonNullAndMissingNodesAreNull() throws Exception {
        Map<String, JsonNode> values = new HashMap<>();
        values.put("params", NullNode.getInstance());
        values.put("review", MissingNode.getInstance());
        values.put("outputs", null);

        assertThat(eval("params == null && review == null && outputs == null", values))
                .isTrue();
        assertThat(eval("review.decision == null", Map.of("review", json("{\"decision\": null}"))))
                .isTrue();
    }

    @Test
    void undeclaredNamesAreReportedWithTheKnownOnes() {
        assertThatThrownBy(() -> Expression.compile("reviw.decision == \"x\"", Set.of("review", "params")))
                .isInstanceOf(ExpressionException.class)
                .hasMessage("undeclared reference to 'reviw' (known: params, review)");
        assertThatThrownBy(() -> Expression.compile("x == 1", Set.of()))
                .hasMessage("undeclared reference to 'x' (no variables are declared)");
    }

    @Test
    void syntaxErrorsNameTheColumn() {
        assertThatThrownBy(() -> Expression.compile("1 + ", CONTEXT))
                .isInstanceOf(ExpressionException.class)
                .hasMessageStartingWith("syntax error at column 5: mismatched input '<EOF>' expecting ")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> Expression.compile("review.decision ==\n  = 1", CONTEXT))
                .hasMessageStartingWith("syntax error at line 2, column 3: ");
    }

    @Test
    void aNonBooleanTypeIsRejectedWhenTheCheckerCanTell() {
        // dyn + int is typed int by the checker, so this fails at compile time, not at run time.
        assertThatThrownBy(() -> Expression.compile("params.count + 1", CONTEXT))
                .isInstanceOf(ExpressionException.class)
                .hasMessage("must be a boolean expression, not int");
        assertThatThrownBy(() -> Expression.compile("[1, 2]", CONTEXT))
                .hasMessage("must be a boolean expression, not list(int)");
        assertThatThrownBy(() -> Expression.compile("\"yes\"", CONTEXT))
                .hasMessage("must be a boolean expression, not string");
    }

    @Test
    void aDynResultThatIsNotABooleanFailsAtRunTime() throws Exception {
        Expression e = Expression.compile("review.decision", CONTEXT);

        assertThat(e.test(Map.of("review", json("{\"decision\": true}")))).isTrue();
        assertThatThrownBy(() -> e.test(Map.of("review", json("{\"decision\": \"reject\"}"))))
                .isInstanceOf(ExpressionException.class)
                .hasMessage("result is not a boolean but string");
        assertThatThrownBy(() -> e.test(Map.of("review", json("{\"decision\": 2}"))))
                .hasMessage("result is not a boolean but int");
        assertThatThrownBy(() -> Expression.compile("review", CONTEXT).test(Map.of()))
                .hasMessage("result is not a boolean but null");
    }

    @Test
    void evaluationErrorsCarryTheReason() throws Exception {
        Expression e = Expression.compile("review.decision == \"reject\"", CONTEXT);

        assertThatThrownBy(() -> e.test(Map.of("review", json("{\"score\": 1}"))))
                .isInstanceOf(ExpressionException.class)
                .hasMessage("no such key: decision");
        assertThatThrownBy(() -> eval("outputs.items[3] == 1", Map.of("outputs", json("{\"items\": [1]}"))))
                .hasMessage("index out of bounds: 3");
        assertThatThrownBy(() -> eval("params.n / 0 == 1", Map.of("params", json("{\"n\": 1}"))))
                .hasMessage("/ by zero");
    }

    @Test
    void sourceLongerThanTheLimitIsRejected() throws Exception {
        String longest = "true" + " ".repeat(Expression.MAX_SOURCE_LENGTH - 4);
        assertThat(Expression.compile(longest, CONTEXT).test(Map.of())).isTrue();

        assertThatThrownBy(() -> Expression.compile(longest + " ", CONTEXT))
                .isInstanceOf(ExpressionException.class)
                .hasMessage("expression is 4097 characters long; the limit is 4096");
    }

    @Test
    void anEmptySourceIsRejected() {
        assertThatThrownBy(() -> Expression.compile("  ", CONTEXT)).hasMessage("expression is empty");
    }

    @Test
    void runawayIterationIsStopped() throws Exception {
        StringBuilder items = new StringBuilder("[0");
        for (int i = 1; i < 200; i++) {
            items.append(',').append(i);
        }
        JsonNode outputs = json("{\"items\": " + items.append(']') + "}");
        Map<String, JsonNode> values = Map.of("outputs", outputs);

        // 200 iterations are fine; 200 x 200 nested ones exceed the budget for one evaluation.
        assertThat(eval("outputs.items.all(x, x >= 0)", values)).isTrue();
        assertThatThrownBy(() -> eval("outputs.items.all(x, outputs.items.all(y, x + y >= 0))", values))
                .isInstanceOf(ExpressionException.class)
                .hasMessage("more than 10000 iterations of all/exists/exists_one/map/filter in one evaluation");
    }

    @Test
    void deepNestingIsRejected() {
        String deep = "(".repeat(150) + "true" + ")".repeat(150);

        assertThatThrownBy(() -> Expression.compile(deep, CONTEXT))
                .isInstanceOf(ExpressionException.class)
                .hasMessageContaining("recursion limit exceeded");
    }

    @Test
    void oneExpressionIsEvaluatedFromManyThreadsAtOnce() throws Exception {
        Expression e = Expression.compile(
                "params.n % 2 == 0 && outputs.items.all(x, x <= params.n) && review.tag == \"t\" + string(params.n)",
                CONTEXT);
        int threads = 16;
        int rounds = 500;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                Callable<Integer> work = () -> {
                    start.await();
                    int wrong = 0;
                    for (int r = 0; r < rounds; r++) {
                        int n = thread * rounds + r;
                        Map<String, JsonNode> values = Map.of(
                                "params", json("{\"n\": " + n + "}"),
                                "outputs", json("{\"items\": [" + n + ", 0]}"),
                                "review", json("{\"tag\": \"t" + n + "\"}"));
                        if (e.test(values) != (n % 2 == 0)) {
                            wrong++;
                        }
                    }
                    return wrong;
                };
                results.add(pool.submit(work));
            }
            start.countDown();
            for (Future<Integer> result : results) {
                assertThat(result.get(1, TimeUnit.MINUTES)).isZero();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
