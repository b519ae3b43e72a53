package dev.baton;

import com.zaxxer.hikari.HikariDataSource;
import dev.baton.agent.LiveRegistry;
import dev.baton.broker.EmbeddedBroker;
import dev.baton.config.BatonSettings;
import dev.baton.ticket.Database;
import dev.baton.ticket.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The broker and the database Baton stands on: started in that order (each when embedded), closed in the reverse. */
final class Foundation implements AutoCloseable {
    /** Under the server's name, where operators look for start-up and shutdown lines. */
    private static final Logger LOG = LoggerFactory.getLogger(BatonServer.class);

    private BatonSettings settings;
    private EmbeddedBroker broker;
    private EmbeddedPostgres postgres;
    private HikariDataSource dataSource;

    private Foundation(BatonSettings settings) {
        this.settings = settings;
    }

    /** Starts the embedded broker and database where the settings ask for them, then the pool; on failure, stops what started. */
    static Foundation start(
            BatonSettings settings,
            LiveRegistry agents,
            java.util.function.UnaryOperator<javax.sql.DataSource> aroundDb)
            throws Exception {
        Foundation f = new Foundation(settings);
        try {
            f.startBroker(agents);
            f.openDatabase(aroundDb);
        } catch (Exception e) {
            f.close();
            throw e;
        }
        return f;
    }

    private void startBroker(LiveRegistry agents) throws Exception {
        if (!settings.broker().embedded()) {
            return;
        }
        if (settings.broker().password().isBlank()) {
            // Nobody else needs Baton's password to an embedded broker: one per process, never written down.
            settings = settings.withBroker(settings.broker().withPassword(randomPassword()));
        }
        broker = EmbeddedBroker.start(settings.broker(), settings.dataDir());
        agents.current().names().forEach(broker::allowAgent);
    }

    /** {@code aroundDb}: what connections are made through (the bench's statement counter), or null. */
    private void openDatabase(java.util.function.UnaryOperator<javax.sql.DataSource> aroundDb) throws Exception {
        if (settings.db().embedded()) {
            postgres =
                    EmbeddedPostgres.startIn(settings.dataDir(), settings.db().embeddedPort());
            settings =
                    settings.withDb(settings.db().on(postgres.jdbcUrl(), EmbeddedPostgres.USER, postgres.password()));
        }
        dataSource = Database.open(settings.db(), aroundDb);
    }

    /** The settings as starting completed them: the embedded broker's password, the embedded database's URL. */
    BatonSettings settings() {
        return settings;
    }

    /** The embedded broker; null when Baton uses an external one. */
    EmbeddedBroker broker() {
        return broker;
    }

    HikariDataSource dataSource() {
        return dataSource;
    }

    /** Lets an agent log in to the embedded broker; an external broker's users are its operator's. */
    void allowAgent(String agent) {
        if (broker != null) broker.allowAgent(agent);
    }

    @Override
    public void close() {
        if (dataSource != null) dataSource.close();
        if (postgres != null) postgres.close();
        try {
            if (broker != null) broker.close();
        } catch (Exception e) {
            LOG.warn("stopping the broker: {}", e.getMessage());
        }
    }

    private static String randomPassword() {
        byte[] bytes = new byte[24];
        new java.security.SecureRandom().nextBytes(bytes);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
