package dev.baton.config;

import dev.baton.broker.EmbeddedBroker;
import dev.baton.pipeline.Backoff;
import dev.baton.pipeline.Durations;
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
 * Typed settings read once from {@code config/application.properties}, system properties and command-line
 * overrides; validated in one place, each message naming the property first.
 */
public record BatonSettings(
        Path routesDir,
        Path configDir,
        Path dataDir,
        String httpHost,
        int httpPort,
        BrokerSettings broker,
        DbSettings db,
        int resultConsumers,
        long scanIntervalMillis,
        int apiMaxBodyBytes,
        String fault,
        Duration misfireThreshold,
        WebhookSettings webhooks,
        Duration heartbeatInterval,
        Map<String, String> camelProperties,
        ApiSecurity security,
        RetentionSettings retention,
        Limits limits) {

    /**
     * How long finished runs are kept ({@code baton.retention.finished-runs}; null: for ever) and how often the
     * ones past it are deleted ({@code baton.retention.interval}).
     */
    public record RetentionSettings(Duration finishedRuns, Duration interval) {
        public boolean enabled() {
            return finishedRuns != null;
        }
    }

    /**
     * Bounds on what agents and pipelines may make Baton store, so that one agent or one file cannot grow the
     * database without end.
     *
     * @param maxInstances instances one agent may have registered by heartbeats ({@code baton.agents.max-instances})
     * @param maxOutputBytes the largest reply an agent may send, in bytes of UTF-8 ({@code baton.agents.max-output-size})
     * @param maxStages stages in one pipeline, inner loop stages included ({@code baton.pipelines.max-stages})
     * @param maxForEachItems items one {@code for_each} stage may fan out to ({@code baton.pipelines.max-for-each-items})
     */
    public record Limits(int maxInstances, int maxOutputBytes, int maxStages, int maxForEachItems) {
        public static final int MAX_INSTANCES = 64;
        public static final int MAX_OUTPUT_BYTES = 1024 * 1024;
        public static final int MAX_STAGES = dev.baton.pipeline.StoreLimits.DEFAULT_MAX_STAGES;
        public static final int MAX_FOR_EACH_ITEMS = 100_000;

        /** The defaults, for tools that read no settings (the CLI's validate). */
        public static Limits defaults() {
            return new Limits(MAX_INSTANCES, MAX_OUTPUT_BYTES, MAX_STAGES, MAX_FOR_EACH_ITEMS);
        }
    }

    /**
     * Who may call the REST API: the credentials file ({@code baton.security.file}, default
     * {@code <config>/security.yaml}), or nobody is asked ({@code baton.security.open=true}, what the demo does).
     */
    public record ApiSecurity(Path file, boolean open) {}

    /** The same settings with the API open to anyone (the demo). */
    public BatonSettings withOpenApi() {
        return new BatonSettings(
                routesDir,
                configDir,
                dataDir,
                httpHost,
                httpPort,
                broker,
                db,
                resultConsumers,
                scanIntervalMillis,
                apiMaxBodyBytes,
                fault,
                misfireThreshold,
                webhooks,
                heartbeatInterval,
                camelProperties,
                new ApiSecurity(security.file(), true),
                retention,
                limits);
    }

    /** The same settings with another credentials file (tests). */
    public BatonSettings withSecurityFile(Path file) {
        return new BatonSettings(
                routesDir,
                configDir,
                dataDir,
                httpHost,
                httpPort,
                broker,
                db,
                resultConsumers,
                scanIntervalMillis,
                apiMaxBodyBytes,
                fault,
                misfireThreshold,
                webhooks,
                heartbeatInterval,
                camelProperties,
                new ApiSecurity(file, security.open()),
                retention,
                limits);
    }

    /**
     * How webhook deliveries are attempted: at most {@code retry.maxAttempts} POSTs, the wait between them doubling
     * from {@code retry.initialDelay} up to {@code retry.maxDelay} (held by the broker), each POST given
     * {@code timeout} to connect and answer.
     */
    public record WebhookSettings(RetryPolicy retry, Duration timeout) {}

    /**
     * Where the broker is and how Baton logs in to it; the embedded broker also listens for STOMP and AMQP 1.0
     * agents on {@code stompPort} and {@code amqpPort}, and says who else may log in to it.
     *
     * @param password Baton's broker password; blank means a random one per process (embedded broker only)
     * @param usersFile agent users with hashed passwords ({@code baton broker-user} writes it)
     * @param rolesFile their roles
     */
    public record BrokerSettings(
            String url,
            int port,
            String user,
            String password,
            Path brokerXml,
            int stompPort,
            int amqpPort,
            Path usersFile,
            Path rolesFile,
            Map<String, String> xmlProperties) {
        /** Settings {@code broker/broker.xml} reads as {@code ${name:default}} beyond its ports and folder. */
        public static final List<String> XML_PROPERTIES = List.of(
                "baton.broker.min-disk-free", "baton.broker.journal-buffer-timeout", "baton.broker.journal-datasync");

        public boolean embedded() {
            return url == null || url.isBlank();
        }

        /** The ports the embedded broker listens on. */
        public EmbeddedBroker.Ports ports() {
            return new EmbeddedBroker.Ports(port, stompPort, amqpPort);
        }

        @Override
        public String toString() {
            return "BrokerSettings[url=" + url + ", port=" + port + ", user=" + user + ", brokerXml=" + brokerXml
                    + ", stompPort=" + stompPort + ", amqpPort=" + amqpPort + ", usersFile=" + usersFile
                    + ", rolesFile=" + rolesFile
                    + ", xmlProperties=" + xmlProperties + "]";
        }

        /** The same settings with Baton's password set, e.g. to the one generated for this process. */
        public BrokerSettings withPassword(String pw) {
            return new BrokerSettings(
                    url, port, user, pw, brokerXml, stompPort, amqpPort, usersFile, rolesFile, xmlProperties);
        }

        /** The URL Baton itself connects with: in-VM for the embedded broker. */
        public String connectUrl() {
            return embedded() ? "vm://0" : url;
        }
    }

    /**
     * The JDBC database holding runs, tickets and history: with no {@code url}, the embedded PostgreSQL under the data
     * folder, on {@code embeddedPort} ({@code baton.db.embedded.port}; 0: a free port at each start).
     */
    public record DbSettings(String url, String user, String password, int poolSize, int embeddedPort) {
        public boolean embedded() {
            return url.isBlank();
        }

        /** The same pool on another database (the embedded one once it is up). */
        public DbSettings on(String jdbcUrl, String dbUser, String dbPassword) {
            return new DbSettings(jdbcUrl, dbUser, dbPassword, poolSize, embeddedPort);
        }
    }

    /** Command-line options of {@code run} and {@code demo}; null means "from the file". */
    public record Overrides(
            Path routes,
            Path config,
            Path data,
            Integer port,
            Integer brokerPort,
            Integer stompPort,
            Integer amqpPort) {
        /** The broker's STOMP and AMQP ports from the file. */
        public Overrides(Path routes, Path config, Path data, Integer port, Integer brokerPort) {
            this(routes, config, data, port, brokerPort, null, null);
        }

        public static Overrides none() {
            return new Overrides(null, null, null, null, null);
        }
    }

    /** The same settings with other broker settings. */
    public BatonSettings withBroker(BrokerSettings b) {
        return new BatonSettings(
                routesDir,
                configDir,
                dataDir,
                httpHost,
                httpPort,
                b,
                db,
                resultConsumers,
                scanIntervalMillis,
                apiMaxBodyBytes,
                fault,
                misfireThreshold,
                webhooks,
                heartbeatInterval,
                camelProperties,
                security,
                retention,
                limits);
    }

    /** The same settings with another database. */
    public BatonSettings withDb(DbSettings d) {
        return new BatonSettings(
                routesDir,
                configDir,
                dataDir,
                httpHost,
                httpPort,
                broker,
                d,
                resultConsumers,
                scanIntervalMillis,
                apiMaxBodyBytes,
                fault,
                misfireThreshold,
                webhooks,
                heartbeatInterval,
                camelProperties,
                security,
                retention,
                limits);
    }

    public static BatonSettings load(Overrides o) {
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
        Values r = new Values(raw, errors);
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
                r.positive("baton.results.consumers", 8),
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

    /** Reads typed values, collecting every problem instead of stopping at the first. */
    private record Values(Map<String, String> raw, List<String> errors) {
        String str(String key, String def) {
            String v = raw.get(key);
            return v == null ? def : v;
        }

        boolean bool(String key, boolean def) {
            String v = raw.get(key);
            if (v == null || v.isBlank()) return def;
            if (v.trim().equals("true") || v.trim().equals("false")) return Boolean.parseBoolean(v.trim());
            errors.add(key + " must be true or false, not '" + v + "'");
            return def;
        }

        int positive(String key, int def) {
            String v = raw.get(key);
            if (v == null || v.isBlank()) return def;
            try {
                int n = Integer.parseInt(v.trim());
                if (n >= 1) return n;
            } catch (NumberFormatException ignored) {
                // reported below
            }
            errors.add(key + " must be a positive integer, not '" + v + "'");
            return def;
        }

        /** A positive duration such as {@code 2s} or {@code 500ms}. */
        Duration duration(String key, Duration def) {
            String v = raw.get(key);
            if (v == null || v.isBlank()) return def;
            try {
                Duration d = Durations.parse(v.trim());
                if (!d.isZero()) return d;
            } catch (IllegalArgumentException ignored) {
                // reported below
            }
            errors.add(key + " must be a positive duration such as 2s or 500ms, not '" + v + "'");
            return def;
        }

        /** A positive duration, or null when the key is absent, blank or {@code off}. */
        Duration durationOrOff(String key) {
            String v = raw.get(key);
            if (v == null || v.isBlank() || v.trim().equals("off")) return null;
            return duration(key, null);
        }

        int port(String key, int def) {
            String v = raw.get(key);
            if (v == null || v.isBlank()) return def;
            try {
                int n = Integer.parseInt(v.trim());
                if (n >= 0 && n <= 65535) return n;
            } catch (NumberFormatException ignored) {
                // reported below
            }
            errors.add(key + " must be a port number from 0 to 65535, not '" + v + "'");
            return def;
        }
    }
}
