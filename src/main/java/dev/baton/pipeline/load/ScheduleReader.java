package dev.baton.pipeline.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.ParamSpec;
import dev.baton.pipeline.Params;
import dev.baton.pipeline.Schedule;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Reads {@code spec.schedule}: the cron, its time zone, the params of each run (checked against spec.params) and the
 * missed-tick rule.
 */
final class ScheduleReader {
    private static final Set<String> FIELDS = Set.of("cron", "timezone", "params", "missed");
    private static final String PATH = "spec.schedule";

    private ScheduleReader() {}

    /** The schedule, or null when there is none or it has a problem (reported). */
    static Schedule read(Fields spec, Scope root, Map<String, ParamSpec> declared) {
        MappingNode node = spec.mapping("schedule", "must be a mapping like {cron: \"0 0 9 * * ?\", params: {...}}");
        if (node == null) {
            return null;
        }
        Scope scope = root.child(PATH);
        Fields fields = new Fields(scope, node).allow(FIELDS, Set.of());
        int before = root.count();
        String cron = fields.requiredText("cron");
        if (cron != null) {
            Optional<String> problem = Schedule.cronProblem(cron);
            problem.ifPresent(p -> scope.error(
                    fields.value("cron"), PATH + ".cron '" + cron + "' is not a Quartz cron expression: " + p));
        }
        ZoneId zone = zone(fields, scope);
        Schedule.Missed missed = missed(fields, scope);
        ObjectNode params = params(fields, scope, declared);
        if (cron == null || root.count() > before) {
            return null;
        }
        return new Schedule(cron, zone, params, missed);
    }

    private static ZoneId zone(Fields fields, Scope scope) {
        String text = fields.text("timezone");
        if (text == null) {
            return Schedule.DEFAULT_TIMEZONE;
        }
        try {
            return ZoneId.of(text);
        } catch (DateTimeException e) {
            scope.error(
                    fields.value("timezone"),
                    PATH + ".timezone '" + text
                            + "' is not a time zone; use an IANA id like UTC, Europe/Paris or America/New_York");
            return null;
        }
    }

    private static Schedule.Missed missed(Fields fields, Scope scope) {
        String text = fields.text("missed");
        if (text == null) {
            return Schedule.DEFAULT_MISSED;
        }
        for (Schedule.Missed m : Schedule.Missed.values()) {
            if (m.label().equals(text)) {
                return m;
            }
        }
        scope.error(
                fields.value("missed"),
                PATH + ".missed '" + text + "' is unknown; use one of "
                        + Arrays.stream(Schedule.Missed.values())
                                .map(Schedule.Missed::label)
                                .collect(Collectors.joining(", ")));
        return null;
    }

    /** The params as written, each problem placed on the param it is about (or on the mapping, for a missing one). */
    private static ObjectNode params(Fields fields, Scope scope, Map<String, ParamSpec> declared) {
        Scope here = scope.child("params");
        MappingNode node = fields.mapping("params", "must be a mapping of param names to values");
        if (node == null && fields.value("params") != null) {
            return null;
        }
        JsonNode given = node == null ? null : JsonValues.convert(node, here);
        if (given != null && !given.isObject()) {
            return null;
        }
        Fields written = node == null ? null : new Fields(here, node);
        for (String problem : Params.resolve(declared, given).problems()) {
            Node at = written == null ? fields.node() : written.node();
            if (written != null) {
                for (String name : written.keys()) {
                    if (problem.startsWith("unknown param '" + name + "'")) {
                        at = written.keyNode(name);
                    }
                }
            }
            (written == null ? scope : here).mappingError(at, problem);
        }
        return given == null ? null : (ObjectNode) given;
    }
}
