package dev.baton;

import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
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

    /** Camel's standard timers for every route added from here on: each stage's compiled routes among them. */
    static PrometheusMeterRegistry installIn(CamelContext camel) {
        PrometheusMeterRegistry registry = registry();
        camel.getRegistry().bind(MicrometerConstants.METRICS_REGISTRY_NAME, registry);
        camel.addRoutePolicyFactory(new MicrometerRoutePolicyFactory());
        return registry;
    }
}
