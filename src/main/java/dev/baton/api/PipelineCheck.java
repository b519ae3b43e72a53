package dev.baton.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.AgentCatalog;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.load.LoadResult;
import dev.baton.pipeline.load.PipelineLoader;
import dev.baton.pipeline.validate.Dag;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code POST /api/pipelines/validate}: a pipeline YAML body checked by the loader and validator that
 * {@code routes/} uses, without loading it: nothing is stored, compiled or started.
 */
public final class PipelineCheck {
    /** The name violations carry instead of a file's. */
    static final String SHOWN_AS = "request";

    private static final Set<String> TYPES = Set.of(
            "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain", "application/json");
    private final AgentCatalog agents;
    private final int maxStages;

    /** @param maxStages as for files in routes/ ({@code baton.pipelines.max-stages}) */
    public PipelineCheck(AgentCatalog agents, int maxStages) {
        this.agents = agents;
        this.maxStages = maxStages;
    }

    /**
     * @return {@code {"valid": true, "pipeline", "stages", "waves"}}
     * @throws Problem 415 for a body that is not YAML, 422 listing every violation
     */
    public ObjectNode validate(String yaml, String contentType) {
        if (contentType != null) {
            String type = contentType.split(";")[0].strip().toLowerCase(Locale.ROOT);
            if (!TYPES.contains(type)) {
                throw new Problem(
                        415, "Unsupported Media Type", "send the pipeline as application/yaml, not " + type, List.of());
            }
        }
        String text = yaml == null ? "" : yaml;
        LoadResult r = PipelineLoader.read(text, SHOWN_AS, agents, maxStages);
        if (!r.ok()) {
            List<String> errors = r.violations().stream().map(Object::toString).toList();
            throw new Problem(
                    422,
                    "Unprocessable Content",
                    "the pipeline is not valid: " + errors.size() + (errors.size() == 1 ? " problem" : " problems"),
                    errors);
        }
        ObjectNode out =
                Json.object().put("valid", true).put("pipeline", r.pipeline().name());
        ArrayNode stages = out.putArray("stages");
        r.pipeline().stages().forEach(s -> stages.add(s.name()));
        out.set("waves", Json.MAPPER.valueToTree(Dag.waves(r.pipeline())));
        return out;
    }
}
