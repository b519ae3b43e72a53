package dev.baton.pipeline.load;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.pipeline.AgentSpec;
import dev.baton.pipeline.Budget;
import dev.baton.pipeline.Notify;
import dev.baton.pipeline.ParamSpec;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.Schedule;
import dev.baton.pipeline.Stage;
import dev.baton.pipeline.validate.ParamReferences;
import dev.baton.pipeline.validate.SourceMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/** Reads the parts of a pipeline document around its stages: apiVersion, kind, metadata, params, agents and schedule. */
final class DocumentReader {
    static final String API_VERSION = "baton/v1";
    /** Agent Orchestra's files: the same format, except that params need not be declared (see {@link #document}). */
    static final String ORCHESTRA = "orchestra.io/v1";

    private static final Set<String> API_VERSIONS = Set.of(API_VERSION, ORCHESTRA);
    private static final Set<String> TOP = Set.of("apiVersion", "kind", "metadata", "spec");
    private static final Set<String> METADATA = Set.of("name", "description");
    private static final Set<String> SPEC = Set.of("params", "agents", "schedule", "pipeline", "notify", "budget");
    private static final Set<String> PARAM = Set.of("required", "default");
    private static final Set<String> AGENT = Set.of("role", "capabilities", "maxConcurrency", "priority");
    private static final Pattern PIPELINE_NAME = Pattern.compile("[a-z0-9-]+");
    private static final Pattern AGENT_NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");
    // Params are read as $.params.<name>, so a name must be a JSONPath name too.
    private static final Pattern PARAM_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*");
    private static final int MAX_NAME = 63;

    /** What the document says, before it is tied to a file and revision; parts that failed are empty or null. */
    record Draft(
            String apiVersion,
            String name,
            String description,
            Map<String, ParamSpec> params,
            Map<String, AgentSpec> agents,
            List<Stage> stages,
            Schedule schedule,
            Notify notification,
            Budget budget) {
        Pipeline toPipeline(String file, String revision, String source) {
            return new Pipeline(
                    apiVersion,
                    name,
                    description,
                    file,
                    revision,
                    source,
                    params,
                    agents,
                    stages,
                    schedule,
                    notification,
                    budget);
        }
    }

    private final Scope scope;
    private final SourceMap where;

    private DocumentReader(Scope scope, SourceMap where) {
        this.scope = scope;
        this.where = where;
    }

    static Draft read(Node root, Scope scope, SourceMap where) {
        return new DocumentReader(scope, where).document(root);
    }

    private Draft document(Node root) {
        Draft empty = new Draft(null, null, null, Map.of(), Map.of(), List.of(), null, null, null);
        if (root == null) {
            scope.errorAt(scope.start(), "the file is empty; expected a Pipeline document");
            return empty;
        }
        if (!(root instanceof MappingNode map)) {
            scope.error(root, "the document must be a mapping with apiVersion, kind, metadata and spec");
            return empty;
        }
        Fields top = new Fields(scope, map).allow(TOP, Set.of());
        String apiVersion = top.requiredText("apiVersion");
        if (apiVersion != null && !API_VERSIONS.contains(apiVersion)) {
            scope.error(top.value("apiVersion"), "apiVersion '" + apiVersion + "' is unknown; use " + API_VERSION);
        }
        String kind = top.requiredText("kind");
        if (kind != null && !kind.equals("Pipeline")) {
            scope.error(top.value("kind"), "kind '" + kind + "' is not Pipeline");
        }
        MappingNode metadata = top.mapping("metadata", "must be a mapping with name and description");
        String name = null;
        String description = null;
        if (metadata != null) {
            Fields meta = new Fields(scope.child("metadata"), metadata).allow(METADATA, Set.of());
            name = meta.requiredText("name");
            checkName(name, meta.value("name"));
            description = meta.text("description");
        } else if (top.value("metadata") == null) {
            scope.missing(map, "metadata");
        }
        MappingNode specNode = top.mapping("spec", "must be a mapping with params, agents and pipeline");
        if (specNode == null) {
            if (top.value("spec") == null) {
                scope.missing(map, "spec");
            }
            return new Draft(API_VERSION, name, description, Map.of(), Map.of(), List.of(), null, null, null);
        }
        Fields spec = new Fields(scope.child("spec"), specNode).allow(SPEC, Set.of());
        Map<String, ParamSpec> params = params(spec);
        Map<String, AgentSpec> agents = agents(spec);
        List<Stage> stages = StageReader.readAll(spec, scope, where);
        if (ORCHESTRA.equals(apiVersion) && !spec.has("params")) {
            // Orchestra files read $.params.x without declaring x: the params they read are their params (optional,
            // as Orchestra does not require them), so that a run may set them and the schedule may name them.
            params = Collections.unmodifiableMap(ParamReferences.inferred(ParamReferences.of(stages, where)));
        }
        Schedule schedule = ScheduleReader.read(spec, scope, params);
        Notify notify = NotifyReader.read(spec, scope);
        Budget budget = BudgetReader.read(spec, scope);
        return new Draft(API_VERSION, name, description, params, agents, stages, schedule, notify, budget);
    }

    private void checkName(String name, Node at) {
        if (name == null) {
            return;
        }
        if (!PIPELINE_NAME.matcher(name).matches()) {
            scope.error(at, "metadata.name '" + name + "' must match " + PIPELINE_NAME);
        } else if (name.length() > MAX_NAME) {
            scope.error(at, "metadata.name '" + name + "' is longer than " + MAX_NAME + " characters");
        }
    }

    private Map<String, ParamSpec> params(Fields spec) {
        Map<String, ParamSpec> params = new LinkedHashMap<>();
        MappingNode node = spec.mapping("params", "must be a mapping of param names to {required, default}");
        if (node == null) {
            return params;
        }
        Fields declared = new Fields(scope.child("spec.params"), node);
        for (String name : declared.keys()) {
            if (!PARAM_NAME.matcher(name).matches()) {
                scope.error(declared.keyNode(name), "spec.params name '" + name + "' must match " + PARAM_NAME);
            }
            ParamSpec param = param(name, declared.raw(name));
            if (param != null) {
                params.put(name, param);
            }
        }
        return Collections.unmodifiableMap(params);
    }

    private ParamSpec param(String name, Node value) {
        Scope here = scope.child("spec.params." + name);
        if (Fields.isNull(value)) {
            return new ParamSpec(name, false, null);
        }
        if (!(value instanceof MappingNode map)) {
            scope.error(value, here.path() + " must be a mapping like {required: true} or {default: ...}");
            return null;
        }
        Fields fields = new Fields(here, map).allow(PARAM, Set.of());
        boolean required = Boolean.TRUE.equals(fields.bool("required"));
        JsonNode defaultValue = null;
        if (fields.has("default")) {
            defaultValue = JsonValues.convert(fields.raw("default"), here.child("default"));
            if (required) {
                here.mappingError(fields.keyNode("default"), "a required param cannot have a default");
            }
        }
        return new ParamSpec(name, required, defaultValue);
    }

    private Map<String, AgentSpec> agents(Fields spec) {
        Map<String, AgentSpec> agents = new LinkedHashMap<>();
        MappingNode node =
                spec.mapping("agents", "must be a mapping of agent names to {kind, role, capabilities, ...}");
        if (node == null) {
            return agents;
        }
        Fields declared = new Fields(scope.child("spec.agents"), node);
        for (String name : declared.keys()) {
            Node key = declared.keyNode(name);
            if (!AGENT_NAME.matcher(name).matches()) {
                scope.error(key, "spec.agents name '" + name + "' must match " + AGENT_NAME);
            } else if (name.length() > dev.baton.pipeline.StoreLimits.AGENT) {
                scope.error(
                        key,
                        "spec.agents name is " + name.length() + " characters; at most "
                                + dev.baton.pipeline.StoreLimits.AGENT + " are allowed");
            }
            AgentSpec agent = agent(name, key, declared.raw(name));
            if (agent != null) {
                agents.put(name, agent);
            }
        }
        return Collections.unmodifiableMap(agents);
    }

    private AgentSpec agent(String name, Node key, Node value) {
        Scope here = scope.child("spec.agents." + name);
        if (Fields.isNull(value)) {
            return new AgentSpec(name, null, List.of(), null, scope.locate(key));
        }
        if (!(value instanceof MappingNode map)) {
            scope.error(value, here.path() + " must be a mapping like {role: writer, capabilities: [draft]}");
            return null;
        }
        Fields fields = new Fields(here, map);
        // A kind and its options are the agent registry's to check (PipelineValidator asks it); the rest is ours.
        boolean kindOptions = fields.keys().stream().anyMatch(k -> !AGENT.contains(k));
        JsonNode declaration = kindOptions ? JsonValues.convert(map, here) : null;
        String role = fields.text("role");
        List<String> capabilities = fields.names("capabilities", "must be a list of capability names").stream()
                .map(ScalarNode::getValue)
                .toList();
        Integer maxConcurrency =
                fields.integer("maxConcurrency", 1, Integer.MAX_VALUE, "must be an integer of at least 1");
        Integer priority = fields.integer("priority", 0, 9, "must be an integer from 0 to 9");
        return new AgentSpec(name, role, capabilities, maxConcurrency, priority, scope.locate(key), declaration);
    }
}
