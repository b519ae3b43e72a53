package dev.baton.api;

import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Service;
import org.apache.camel.component.platform.http.PlatformHttpConstants;
import org.apache.camel.component.platform.http.main.DefaultMainHttpServerFactory;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.main.HttpManagementServerConfigurationProperties;
import org.apache.camel.main.HttpServerConfigurationProperties;
import org.apache.camel.main.MainHttpServerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Camel's Vert.x HTTP server with {@link HttpFront} installed before the port opens: Camel's own server listens
 * first and lets routes and error pages be added afterwards, so its first answers were Vert.x's HTML 404s and empty
 * 414s and 431s (those come from the HTTP decoder, whose handler can only be set before listening).
 */
public final class BatonHttpServer extends VertxPlatformHttpServer {
    private static final Logger LOG = LoggerFactory.getLogger(BatonHttpServer.class);

    private final VertxPlatformHttpServerConfiguration configuration;
    private final HttpFront front;
    private volatile HttpServer server;

    BatonHttpServer(VertxPlatformHttpServerConfiguration configuration, HttpFront front) {
        super(configuration);
        this.configuration = configuration;
        this.front = front;
    }

    /**
     * Makes camel-main start this server for {@code camel.server.*} (bound in the registry, camel-main looks here
     * before its own factory), configured from the same properties as Camel's.
     */
    public static MainHttpServerFactory factory(HttpFront front) {
        return new MainHttpServerFactory() {
            private final DefaultMainHttpServerFactory camels = new DefaultMainHttpServerFactory();

            @Override
            public Service newHttpServer(CamelContext camel, HttpServerConfigurationProperties properties) {
                var configured = (MainHttpServer) camels.newHttpServer(camel, properties);
                VertxPlatformHttpServerConfiguration c = configured.getConfiguration();
                c.setServerType(VertxPlatformHttpRouter.SERVER_TYPE_SERVER);
                BatonHttpServer server = new BatonHttpServer(c, front);
                server.setCamelContext(camel);
                return server;
            }

            @Override
            public Service newHttpManagementServer(
                    CamelContext camel, HttpManagementServerConfigurationProperties properties) {
                return camels.newHttpManagementServer(camel, properties);
            }
        };
    }

    @Override
    protected void initializeServer() {
        super.initializeServer();
        front.install(getCamelContext(), topRouter());
    }

    @Override
    protected void startServer() throws Exception {
        if (configuration.getSslContextParameters() != null || configuration.isUseGlobalSslContextParameters()) {
            throw new IllegalStateException("camel.server TLS settings are not supported by Baton's REST API; "
                    + "terminate TLS in a proxy in front of it");
        }
        // Camel's startServer, replaced here, makes the executor its stop closes Vert.x on; without it, stopping
        // fails with a NullPointerException (a WARN and a stack trace on every Ctrl-C).
        setPrivate(
                "executor",
                getCamelContext().getExecutorServiceManager().newSingleThreadExecutor(this, "platform-http-service"));
        // Vert.x's limits (a 4096-byte request line, 8 KiB of headers); only the answer above them changes.
        HttpServer s = getVertx()
                .createHttpServer(new HttpServerOptions())
                .invalidRequestHandler(front::invalid)
                .requestHandler(topRouter());
        server = s;
        try {
            s.listen(configuration.getBindPort(), configuration.getBindHost())
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
            LOG.info("Vert.x HttpServer started on {}:{}", configuration.getBindHost(), configuration.getBindPort());
        } catch (java.util.concurrent.ExecutionException e) {
            // HttpListening makes this a start failure with the port in the message
            LOG.warn(
                    "cannot listen on {}:{}: {}",
                    configuration.getBindHost(),
                    configuration.getBindPort(),
                    e.getCause().toString());
        }
    }

    @Override
    public HttpServer getServer() {
        return server;
    }

    @Override
    protected void stopServer() {
        HttpServer s = server;
        if (s == null) {
            return;
        }
        try {
            getCamelContext().removeComponent(PlatformHttpConstants.PLATFORM_HTTP_COMPONENT_NAME);
            s.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("the HTTP server did not close cleanly: {}", e.toString());
        } finally {
            server = null;
        }
    }

    /**
     * The server's top router, where every request starts and unmatched ones end: Camel mounts its routes on a
     * sub-router and keeps the top one private, and error pages set on the sub-router are never used for a path no
     * route matches.
     */
    private Router topRouter() {
        return (Router) privateField("router", false, null);
    }

    private void setPrivate(String name, Object value) {
        privateField(name, true, value);
    }

    /** A private field of Camel's server class, read or written; a Camel upgrade that renames it fails loudly. */
    private Object privateField(String name, boolean write, Object value) {
        try {
            var field = VertxPlatformHttpServer.class.getDeclaredField(name);
            field.setAccessible(true);
            if (write) {
                field.set(this, value);
                return value;
            }
            return field.get(this);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(
                    "Camel's HTTP server has no '" + name + "' field any more (a Camel " + "upgrade changed it): " + e,
                    e);
        }
    }
}
