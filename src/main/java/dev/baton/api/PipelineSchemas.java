package dev.baton.api;

import static dev.baton.api.SchemaShapes.any;
import static dev.baton.api.SchemaShapes.array;
import static dev.baton.api.SchemaShapes.bool;
import static dev.baton.api.SchemaShapes.integer;
import static dev.baton.api.SchemaShapes.nullable;
import static dev.baton.api.SchemaShapes.obj;
import static dev.baton.api.SchemaShapes.ref;
import static dev.baton.api.SchemaShapes.str;
import static dev.baton.api.SchemaShapes.time;

import io.swagger.v3.oas.models.media.JsonSchema;
import io.swagger.v3.oas.models.media.Schema;

/** The schemas of what the API shows of pipelines and agents ({@code PipelineViews.describe}, {@link AgentViews}). */
final class PipelineSchemas {
    private PipelineSchemas() {}

    static Schema<?> pipeline() {
        JsonSchema params = SchemaShapes.type("object");
        params.setAdditionalProperties(
                obj().req("required", bool()).req("default", any()).build());
        return obj().req("name", str())
                .req("description", nullable("string"))
                .req("file", nullable("string"))
                .req("revision", str())
                .req("params", params)
                .req(
                        "stages",
                        array(obj().req("name", str())
                                .req("kind", str())
                                .opt("agent", nullable("string"))
                                .opt(
                                        "agentSelector",
                                        obj().req("capabilities", array(str()))
                                                .req("role", nullable("string"))
                                                .build())
                                .req("agents", array(str()))
                                .req("dependsOn", array(str()))
                                .build()))
                .req("waves", array(array(str())))
                .opt("budget", ref("Budget"))
                .opt(
                        "schedule",
                        obj().req("cron", str())
                                .req("timezone", str())
                                .req("missed", str())
                                .req("params", any())
                                .req("nextFireTime", time(true))
                                .build())
                .req("usage", ref("Spent"))
                .doc("A loaded pipeline: its params, top-level stages, waves of stages that run together, schedule "
                        + "and what its runs spent.");
    }

    static Schema<?> agent() {
        return obj().req("name", str())
                .req("kind", nullable("string"))
                .req("role", nullable("string"))
                .req("capabilities", array(str()))
                .req("maxConcurrency", nullable("integer"))
                .req("priority", nullable("integer"))
                .req("health", str())
                .req("lastHeartbeat", time(true))
                .req(
                        "instances",
                        array(obj().req("instance", str())
                                .req("health", str())
                                .req("lastHeartbeat", time(false))
                                .req("firstSeen", time(false))
                                .req("downAt", time(true))
                                .req("inFlight", array(any()))
                                .build()))
                .req("inFlight", integer())
                .req("queued", integer())
                .req("queueDepth", nullable("integer"))
                .req("consumers", nullable("integer"))
                .doc("An agent as configured and as seen: health from heartbeats, tickets in flight, its queue.");
    }
}
