package dev.baton.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.compile.PipelineRegistry;
import dev.baton.compile.RoutesFolder;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.Schedule;
import dev.baton.pipeline.Stage;
import dev.baton.pipeline.validate.Dag;
import dev.baton.runtime.Scheduler;
import dev.baton.ticket.Tx;

/** What the API shows of pipelines: each loaded one with its stages, waves, budget, schedule and spending. */
final class PipelineViews {
    private static final dev.baton.ticket.UsageStore USAGE = new dev.baton.ticket.UsageStore();

    private final PipelineRegistry pipelines;
    private final RoutesFolder folder;
    private final Scheduler scheduler;
    private final Tx tx;

    PipelineViews(PipelineRegistry pipelines, RoutesFolder folder, Scheduler scheduler, Tx tx) {
        this.pipelines = pipelines;
        this.folder = folder;
        this.scheduler = scheduler;
        this.tx = tx;
    }

    ObjectNode pipelines() {
        ObjectNode out = Json.object();
        ArrayNode arr = out.putArray("pipelines");
        var spent = tx.run(USAGE::byPipeline);
        pipelines
                .all()
                .forEach(p ->
                        arr.add(describe(p, scheduler).set("usage", UsageViews.spent(spent.get(p.name()), true))));
        ArrayNode invalid = out.putArray("invalid");
        folder.invalid().forEach((file, violations) -> {
            ObjectNode o = invalid.addObject().put("file", file);
            ArrayNode errs = o.putArray("errors");
            violations.forEach(v -> errs.add(v.toString()));
        });
        return out;
    }

    ObjectNode pipeline(String name) {
        ObjectNode o = describe(
                pipelines.current(name).orElseThrow(() -> Problem.notFound("pipeline '" + name + "' is not loaded")),
                scheduler);
        o.set("usage", UsageViews.spent(tx.run(USAGE::byPipeline).get(name), true));
        return o;
    }

    static ObjectNode describe(Pipeline p, Scheduler scheduler) {
        ObjectNode o = Json.object()
                .put("name", p.name())
                .put("description", p.description())
                .put("file", p.file())
                .put("revision", p.revision());
        ObjectNode params = o.putObject("params");
        p.params().values().forEach(ps -> {
            ObjectNode po = params.putObject(ps.name()).put("required", ps.required());
            po.set("default", ps.defaultValue());
        });
        ArrayNode stages = o.putArray("stages");
        for (Stage s : p.stages()) {
            ObjectNode so = stages.addObject().put("name", s.name());
            so.put("kind", s.kind());
            if (s instanceof dev.baton.pipeline.AgentStage a) {
                so.put("agent", a.agent());
                if (a.selector() != null) {
                    ObjectNode sel = so.putObject("agentSelector");
                    a.selector().capabilities().forEach(sel.putArray("capabilities")::add);
                    sel.put("role", a.selector().role());
                }
            }
            ArrayNode agents = so.putArray("agents");
            s.agentNames().forEach(agents::add);
            ArrayNode deps = so.putArray("dependsOn");
            s.dependsOn().forEach(deps::add);
        }
        o.set("waves", Json.MAPPER.valueToTree(Dag.waves(p)));
        if (p.budget() != null) {
            o.set("budget", UsageViews.budget(p.budget()));
        }
        if (p.schedule() != null) {
            Schedule s = p.schedule();
            ObjectNode so = o.putObject("schedule")
                    .put("cron", s.cron())
                    .put("timezone", s.timezone().getId())
                    .put("missed", s.missed().label());
            so.set("params", s.params());
            so.put(
                    "nextFireTime",
                    scheduler.nextFireTime(s).map(Object::toString).orElse(null));
        }
        return o;
    }
}
