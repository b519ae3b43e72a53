package dev.baton.pipeline.load;

import dev.baton.pipeline.Notify;
import dev.baton.pipeline.Notify.Outcome;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/** Reads {@code spec.notify}: the webhook a pipeline's run outcomes are posted to, and which outcomes. */
final class NotifyReader {
    private static final Set<String> FIELDS = Set.of("webhook", "on");

    private NotifyReader() {}

    /** The notify section, or null when there is none or it has violations (which are reported). */
    static Notify read(Fields spec, Scope scope) {
        MappingNode node = spec.mapping(
                "notify", "must be a mapping like {webhook: https://example.com/hook, on: [succeeded, failed]}");
        if (node == null) {
            return null;
        }
        Scope here = scope.child("spec.notify");
        Fields fields = new Fields(here, node).allow(FIELDS, Set.of());
        URI webhook = webhook(fields, here);
        Set<Outcome> on = outcomes(fields, here);
        return webhook == null || on == null ? null : new Notify(webhook, on);
    }

    private static URI webhook(Fields fields, Scope here) {
        String text = fields.requiredText("webhook");
        if (text == null) {
            return null;
        }
        Node at = fields.value("webhook");
        try {
            URI uri = new URI(text.strip());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below, like any other URL that is not http or https
        }
        here.error(at, here.field("webhook") + " '" + text + "' must be an http or https URL");
        return null;
    }

    private static Set<Outcome> outcomes(Fields fields, Scope here) {
        if (fields.value("on") == null) {
            return fields.has("on") ? null : EnumSet.copyOf(Notify.DEFAULT_ON);
        }
        Set<Outcome> on = EnumSet.noneOf(Outcome.class);
        boolean ok = true;
        var names = fields.names("on", "must be a list of run outcomes such as [succeeded, failed]");
        for (ScalarNode name : names) {
            Outcome o = Outcome.ofYaml(name.getValue());
            if (o == null) {
                here.error(
                        name,
                        here.field("on") + " '" + name.getValue() + "' is unknown; use one of " + Outcome.names());
                ok = false;
            } else {
                on.add(o);
            }
        }
        if (names.isEmpty() && fields.value("on") != null) {
            here.error(fields.value("on"), here.field("on") + " must name at least one run outcome");
            return null;
        }
        return ok ? on : null;
    }
}
