package dev.baton.config;

import dev.baton.broker.EmbeddedBroker;
import dev.baton.pipeline.RetryPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

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

    /** The same settings with the API open to anyone (the demo). */
    public BatonSettings withOpenApi() {
        return with(broker, db, new ApiSecurity(security.file(), true));
    }

    /** The same settings with another credentials file (tests). */
    public BatonSettings withSecurityFile(Path file) {
        return with(broker, db, new ApiSecurity(file, security.open()));
    }

    /** The same settings with other broker settings. */
    public BatonSettings withBroker(BrokerSettings b) {
        return with(b, db, security);
    }

    /** The same settings with another database. */
    public BatonSettings withDb(DbSettings d) {
        return with(broker, d, security);
    }

    /** The settings that change once read: where the broker and database are, who may call the API. */
    private BatonSettings with(BrokerSettings b, DbSettings d, ApiSecurity s) {
        return new BatonSettings(
                routesDir,
                configDir,
                dataDir,
                httpHost,
                httpPort,
                b,
                d,
                resultConsumers,
                scanIntervalMillis,
                apiMaxBodyBytes,
                fault,
                misfireThreshold,
                webhooks,
                heartbeatInterval,
                camelProperties,
                s,
                retention,
                limits);
    }

    /** Reads the settings (see {@link SettingsReader}); a {@link SettingsException} lists every problem. */
    public static BatonSettings load(Overrides o) {
        return SettingsReader.load(o);
    }
}
