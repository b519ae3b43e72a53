package dev.baton;

import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyConfiguration;
import org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyFactory;

/** Baton's Prometheus registry: its own meters, the JVM's and the process's, and Camel's timers of every route. */
final class Meters {
    private Meters() {}

    /** A registry with the JVM's and the process's meters, which every Prometheus dashboard expects. */
    static PrometheusMeterRegistry registry() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return registry;
    }

    /**
     * Camel's standard timers and counters for every route added from here on: each stage's compiled routes among
     * them. Not the context-wide timer Camel adds by default: it times every exchange of every route a second time
     * (a hop passes through several routes, each exchange formatting its own property name), about 2.5 % of the
     * engine's CPU under load, for a figure the per-route timers already give summed.
     */
    static PrometheusMeterRegistry installIn(CamelContext camel) {
        PrometheusMeterRegistry registry = registry();
        camel.getRegistry().bind(MicrometerConstants.METRICS_REGISTRY_NAME, registry);
        MicrometerRoutePolicyConfiguration perRoute = new MicrometerRoutePolicyConfiguration();
        perRoute.setContextEnabled(false);
        MicrometerRoutePolicyFactory factory = new MicrometerRoutePolicyFactory();
        factory.setPolicyConfiguration(perRoute);
        camel.addRoutePolicyFactory(factory);
        return registry;
    }
}
