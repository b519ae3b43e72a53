package dev.baton;

import dev.baton.broker.Messaging;
import dev.baton.compile.Endpoints;
import dev.baton.config.BatonSettings;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.main.Main;

/** camel-main as Baton needs it, not yet started: its properties, its HTTP address and the three JMS components. */
final class CamelSetup {
    /** What Baton needs from Camel whatever application.properties says (it may say more). */
    private static final Map<String, String> CAMEL_DEFAULTS = Map.of(
            "camel.main.name", "baton",
            "camel.server.enabled", "true",
            "camel.server.max-body-size", "8388608",
            "camel.main.shutdown-timeout", "10");

    private CamelSetup() {}

    static Main create(BatonSettings settings, Messaging messaging) {
        Main main = new Main();
        Map<String, String> camelProps = new LinkedHashMap<>(CAMEL_DEFAULTS);
        camelProps.putAll(settings.camelProperties());
        camelProps.forEach(main::addOverrideProperty);
        main.addOverrideProperty("camel.server.port", Integer.toString(settings.httpPort()));
        main.addOverrideProperty("camel.server.host", settings.httpHost());
        // Plain Camel routes in routes/ may use {{baton.data}}, e.g. for a file inbox per instance.
        main.addOverrideProperty("baton.data", settings.dataDir().toString());
        main.bind(Endpoints.JMS, messaging.consumerComponent());
        main.bind(Endpoints.JMS_OUT, messaging.relayComponent());
        main.bind(Endpoints.JMS_AGENT, messaging.agentComponent());
        return main;
    }
}
