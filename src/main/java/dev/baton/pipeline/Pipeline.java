package dev.baton.pipeline;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A loaded, typed pipeline definition (kind: Pipeline).
 *
 * @param revision content hash of the source text; a run is pinned to it
 * @param params declared parameters in file order
 * @param agents agents declared by the pipeline in file order
 * @param stages stages in file order
 * @param schedule when the pipeline starts by itself; null when it does not
 * @param notification where run outcomes are reported, or null
 * @param budget the most a run may spend in tokens or dollars, or null
 */
public record Pipeline(
        String apiVersion,
        String name,
        String description,
        String file,
        String revision,
        String source,
        Map<String, ParamSpec> params,
        Map<String, AgentSpec> agents,
        List<Stage> stages,
        Schedule schedule,
        Notify notification,
        Budget budget) {

    /** A pipeline without a schedule that notifies nobody. */
    public Pipeline(
            String apiVersion,
            String name,
            String description,
            String file,
            String revision,
            String source,
            Map<String, ParamSpec> params,
            Map<String, AgentSpec> agents,
            List<Stage> stages) {
        this(apiVersion, name, description, file, revision, source, params, agents, stages, null, null, null);
    }

    public Optional<Stage> stage(String name) {
        return stages.stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
