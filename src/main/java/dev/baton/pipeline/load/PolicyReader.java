package dev.baton.pipeline.load;

import dev.baton.pipeline.Backoff;
import dev.baton.pipeline.Compensation;
import dev.baton.pipeline.Durations;
import dev.baton.pipeline.RetryPolicy;
import dev.baton.pipeline.validate.SourceMap;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;

/** Reads the policies any stage kind may carry: {@code retry} and {@code compensate}, and one-of-a-few choices. */
final class PolicyReader {
    private static final Set<String> COMPENSATE = Set.of("agent", "input", "retry", "timeout");
    private static final Set<String> RETRY = Set.of("maxAttempts", "backoff", "initialDelay", "maxDelay", "jitter");
    private static final Duration DEFAULT_INITIAL_DELAY = Duration.ofSeconds(1);
    private static final Duration DEFAULT_MAX_DELAY = Duration.ofMinutes(1);

    private PolicyReader() {}

    /** The stage's {@code compensate}, or null when it has none or it is broken (which is reported). */
    static Compensation compensate(Fields stage, Scope scope, SourceMap where, int index) {
        MappingNode map =
                stage.mapping("compensate", "must be a mapping like {agent: canceller, input: \"$.booking\"}");
        if (map == null) {
            return null;
        }
        Scope here = scope.child("compensate");
        Fields fields = new Fields(here, map).allow(COMPENSATE, Set.of());
        String agent = fields.requiredText("agent");
        String input = fields.text("input");
        for (String field : List.of("agent", "input")) {
            Node value = fields.value(field);
            if (value != null) {
                where.put(index, "compensate." + field, here.locate(value));
            }
        }
        Duration timeout = fields.duration("timeout", true);
        // Absent retry and timeout are null: the compensation then uses the stage's own.
        RetryPolicy retry = fields.has("retry") ? retry(fields, here) : null;
        return agent == null ? null : new Compensation(agent, input, retry, timeout);
    }

    /** The {@code retry} of a stage or of a compensation; NONE when absent. */
    static RetryPolicy retry(Fields owner, Scope ownerScope) {
        MappingNode map = owner.mapping("retry", "must be a mapping like {maxAttempts: 3, backoff: exponential}");
        if (map == null) {
            return RetryPolicy.NONE;
        }
        Scope here = ownerScope.child("retry");
        Fields fields = new Fields(here, map).allow(RETRY, Set.of());
        Integer maxAttempts = fields.integer("maxAttempts", 1, Integer.MAX_VALUE, "must be an integer of at least 1");
        if (fields.value("maxAttempts") == null) {
            here.missing(map, "maxAttempts");
        }
        Backoff backoff = Backoff.valueOf(
                choice(fields, here, "backoff", List.of("exponential", "fixed")).toUpperCase(Locale.ROOT));
        Duration initial = fields.duration("initialDelay", false);
        Duration max = fields.duration("maxDelay", false);
        Duration initialDelay = initial == null ? DEFAULT_INITIAL_DELAY : initial;
        Duration maxDelay = max == null ? DEFAULT_MAX_DELAY : max;
        if (initialDelay.compareTo(maxDelay) > 0 && (initial != null || max != null)) {
            Node at = fields.value(initial != null ? "initialDelay" : "maxDelay");
            here.error(
                    at,
                    here.field("initialDelay") + " (" + Durations.format(initialDelay)
                            + ") must not be longer than " + here.field("maxDelay") + " ("
                            + Durations.format(maxDelay) + ")");
        }
        Double jitter = fields.fraction("jitter");
        return new RetryPolicy(
                maxAttempts == null ? 1 : maxAttempts, backoff, initialDelay, maxDelay, jitter == null ? 0 : jitter);
    }

    /** One of {@code options} (the first is the default); anything else is reported and read as the default. */
    static String choice(Fields fields, Scope here, String key, List<String> options) {
        String text = fields.text(key);
        if (text == null || options.contains(text)) {
            return text == null ? options.get(0) : text;
        }
        String allowed =
                String.join(", ", options.subList(0, options.size() - 1)) + " or " + options.get(options.size() - 1);
        here.error(fields.value(key), here.field(key) + " must be " + allowed + ", not '" + text + "'");
        return options.get(0);
    }
}
