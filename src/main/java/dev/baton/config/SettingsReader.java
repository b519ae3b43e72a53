package dev.baton.config;

import dev.baton.config.BatonSettings.ApiSecurity;
import dev.baton.config.BatonSettings.BrokerSettings;
import dev.baton.config.BatonSettings.DbSettings;
import dev.baton.config.BatonSettings.Limits;
import dev.baton.config.BatonSettings.Overrides;
import dev.baton.config.BatonSettings.RetentionSettings;
import dev.baton.config.BatonSettings.WebhookSettings;
import dev.baton.pipeline.Backoff;
import dev.baton.pipeline.RetryPolicy;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Reads {@code config/application.properties}, then {@code baton.*} and {@code camel.*} system properties, then
 * command-line overrides, into typed settings; every problem is collected, each message naming the property first.
 */
final class SettingsReader {
    private SettingsReader() {}

    /** The settings as the config folder, system properties and {@code o} say, or every problem found. */
    static BatonSettings load(Overrides o) {
        Path configDir = o.config() != null ? o.config() : Path.of("config");
        Map<String, String> raw = new LinkedHashMap<>();
        Path file = configDir.resolve("application.properties");
        if (Files.exists(file)) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new SettingsException(List.of(file + ": cannot be read: " + e.getMessage()));
            }
            p.stringPropertyNames().forEach(k -> raw.put(k, p.getProperty(k).trim()));
        }
        System.getProperties().stringPropertyNames().stream()
                .filter(k -> k.startsWith("baton.") || k.startsWith("camel."))
                .forEach(k -> raw.put(k, System.getProperty(k)));
        if (o.data() != null) raw.put("baton.data", o.data().toString());
        if (o.routes() != null) raw.put("baton.routes", o.routes().toString());
        if (o.port() != null) raw.put("camel.server.port", o.port().toString());
        if (o.brokerPort() != null) raw.put("baton.broker.port", o.brokerPort().toString());
        if (o.stompPort() != null)
            raw.put("baton.broker.stomp.port", o.stompPort().toString());
        if (o.amqpPort() != null) raw.put("baton.broker.amqp.port", o.amqpPort().toString());
        raw.putIfAbsent("baton.data", "data");
        raw.putIfAbsent("baton.routes", "routes");
        // H2 refuses paths implicitly relative to the working directory; so does a careful operator.
        String data =
                Path.of(raw.get("baton.data")).toAbsolutePath().normalize().toString();
        raw.put("baton.data", data);
        raw.replaceAll((k, v) -> v.replace("${baton.data}", data));
        return from(raw, configDir);
    }

    private static Map<String, String> brokerXmlProperties(Map<String, String> raw) {
        Map<String, String> xml = new LinkedHashMap<>();
        for (String k : BrokerSettings.XML_PROPERTIES) {
            if (raw.get(k) != null && !raw.get(k).isBlank()) xml.put(k, raw.get(k));
        }
        return Map.copyOf(xml);
    }

    private static BatonSettings from(Map<String, String> raw, Path configDir) {
        List<String> errors = new ArrayList<>();
        SettingValues r = new SettingValues(raw, errors);
        var broker = new BrokerSettings(
                r.str("baton.broker.url", ""),
                r.port("baton.broker.port", 61616),
                r.str("baton.broker.user", "baton").isBlank() ? "baton" : r.str("baton.broker.user", "baton"),
                r.str("baton.broker.password", ""),
                Path.of(r.str("baton.broker.config", "broker/broker.xml")),
                r.port("baton.broker.stomp.port", 61613),
                r.port("baton.broker.amqp.port", 5672),
                Path.of(r.str(
                        "baton.broker.users",
                        configDir.resolve("broker-users.properties").toString())),
                Path.of(r.str(
                        "baton.broker.roles",
                        configDir.resolve("broker-roles.properties").toString())),
                brokerXmlProperties(raw));
        distinctBrokerPorts(broker, errors);
        var db = new DbSettings(
                r.str("baton.db.url", "").trim(),
                r.str("baton.db.user", "sa"),
                r.str("baton.db.password", ""),
                r.positive("baton.db.pool-size", 16),
                r.port("baton.db.embedded.port", 0));
        Map<String, String> camel = new LinkedHashMap<>();
        raw.forEach((k, v) -> {
            if (k.startsWith("camel.")) camel.put(k, v);
        });
        var settings = new BatonSettings(
                Path.of(raw.get("baton.routes")),
                configDir,
                Path.of(raw.get("baton.data")),
                r.str("camel.server.host", "127.0.0.1"),
                r.port("camel.server.port", 8080),
                broker,
                db,
                r.positive("baton.results.consumers", 16),
                r.positive("baton.routes.scan-interval", 1000),
                r.positive("baton.api.max-body-size", 1024 * 1024),
                r.str("baton.fault", ""),
                r.duration("baton.schedule.misfire-threshold", Duration.ofSeconds(60)),
                new WebhookSettings(
                        new RetryPolicy(
                                r.positive("baton.webhooks.max-attempts", 10),
                                Backoff.EXPONENTIAL,
                                r.duration("baton.webhooks.initial-delay", Duration.ofSeconds(2)),
                                r.duration("baton.webhooks.max-delay", Duration.ofMinutes(10)),
                                0),
                        r.duration("baton.webhooks.timeout", Duration.ofSeconds(10))),
                r.duration("baton.agents.heartbeat-interval", Duration.ofSeconds(15)),
                Map.copyOf(camel),
                new ApiSecurity(
                        Path.of(r.str(
                                "baton.security.file",
                                configDir.resolve("security.yaml").toString())),
                        r.bool("baton.security.open", false)),
                new RetentionSettings(
                        r.durationOrOff("baton.retention.finished-runs"),
                        r.duration("baton.retention.interval", Duration.ofMinutes(10))),
                new Limits(
                        r.positive("baton.agents.max-instances", Limits.MAX_INSTANCES),
                        r.positive("baton.agents.max-output-size", Limits.MAX_OUTPUT_BYTES),
                        r.positive("baton.pipelines.max-stages", Limits.MAX_STAGES),
                        r.positive("baton.pipelines.max-for-each-items", Limits.MAX_FOR_EACH_ITEMS)));
        if (!errors.isEmpty()) {
            throw new SettingsException(errors);
        }
        return settings;
    }

    /** Two acceptors of the embedded broker on one port: Artemis would fail to bind with a less helpful message. */
    private static void distinctBrokerPorts(BrokerSettings b, List<String> errors) {
        if (b.stompPort() != 0 && b.stompPort() == b.port()) {
            errors.add("baton.broker.stomp.port " + b.stompPort() + " is also baton.broker.port; use another port");
        }
        if (b.amqpPort() != 0 && (b.amqpPort() == b.port() || b.amqpPort() == b.stompPort())) {
            errors.add("baton.broker.amqp.port " + b.amqpPort() + " is also baton.broker."
                    + (b.amqpPort() == b.port() ? "port" : "stomp.port") + "; use another port");
        }
    }
}
