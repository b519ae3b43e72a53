package dev.baton.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Resolving the params a run is started with. */
class ParamsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private static Pipeline declaring(ParamSpec... params) {
        Map<String, ParamSpec> map = new LinkedHashMap<>();
        for (ParamSpec p : params) {
            map.put(p.name(), p);
        }
        return new Pipeline("baton/v1", "p", null, "p.yaml", "rev", "", map, Map.of(), List.of());
    }

    private final Pipeline pipeline;

    ParamsTest() throws Exception {
        pipeline = declaring(
                new ParamSpec("topic", true, null),
                new ParamSpec("tone", false, json("\"neutral\"")),
                new ParamSpec("limits", false, json("{\"words\": 800}")),
                new ParamSpec("audience", false, null));
    }

    @Test
    void fillsDefaultsAndKeepsGivenValues() throws Exception {
        Params.Resolution r = Params.resolve(pipeline, json("{\"topic\": \"cats\", \"limits\": {\"words\": 5}}"));

        assertThat(r.problems()).isEmpty();
        assertThat(r.ok()).isTrue();
        assertThat(r.params())
                .isEqualTo(json("{\"topic\": \"cats\", \"tone\": \"neutral\", \"limits\": {\"words\": 5}}"));
    }

    @Test
    void reportsEveryUnknownAndMissingParam() throws Exception {
        Params.Resolution r = Params.resolve(pipeline, json("{\"topc\": \"cats\", \"mood\": 1, \"tone\": \"dry\"}"));

        assertThat(r.problems())
                .containsExactly(
                        "unknown param 'topc'; declared params are audience, limits, tone, topic",
                        "unknown param 'mood'; declared params are audience, limits, tone, topic",
                        "missing required param 'topic'");
        assertThat(r.params()).isEqualTo(json("{\"tone\": \"dry\", \"limits\": {\"words\": 800}}"));
    }

    @Test
    void treatsNothingGivenAsAnEmptyObject() {
        for (JsonNode nothing : new JsonNode[] {null, NullNode.getInstance(), MissingNode.getInstance()}) {
            assertThat(Params.resolve(pipeline, nothing).problems()).containsExactly("missing required param 'topic'");
        }
    }

    @Test
    void treatsAJsonNullParamAsNotGiven() throws Exception {
        Params.Resolution r = Params.resolve(pipeline, json("{\"topic\": null, \"tone\": null}"));

        assertThat(r.problems()).containsExactly("missing required param 'topic'");
        assertThat(r.params().get("tone").asText()).isEqualTo("neutral");
    }

    @Test
    void rejectsParamsThatAreNotAnObject() throws Exception {
        assertThat(Params.resolve(pipeline, json("[1]")).problems())
                .containsExactly("params must be a JSON object, not an array", "missing required param 'topic'");
        assertThat(Params.resolve(declaring(), json("{\"x\": 1}")).problems())
                .containsExactly("unknown param 'x'; this pipeline declares no params");
    }

    @Test
    void neverSharesDefaultsBetweenRuns() throws Exception {
        Params.Resolution first = Params.resolve(pipeline, json("{\"topic\": \"a\"}"));
        ((com.fasterxml.jackson.databind.node.ObjectNode) first.params().get("limits")).put("words", 1);

        assertThat(Params.resolve(pipeline, json("{\"topic\": \"a\"}"))
                        .params()
                        .get("limits")
                        .get("words")
                        .asInt())
                .isEqualTo(800);
    }
}
