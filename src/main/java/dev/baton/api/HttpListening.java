package dev.baton.api;

import io.vertx.core.net.impl.TCPServerBase;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Camel's Vert.x HTTP server only logs a failed bind and the context starts anyway: a Baton that says it is up while
 * another process answers on its port. This makes that a start failure.
 */
public final class HttpListening {
    private static final Logger LOG = LoggerFactory.getLogger(HttpListening.class);

    private HttpListening() {}

    /** @throws IllegalStateException when the REST API's HTTP server is not listening */
    public static void require(CamelContext camel, String host, int port) {
        VertxPlatformHttpServer server = camel.hasService(VertxPlatformHttpServer.class);
        if (server != null && server.getServer() != null && !(server.getServer() instanceof TCPServerBase)) {
            LOG.warn(
                    "cannot tell whether the REST API listens on {}:{}: Vert.x's server is a {}",
                    host,
                    port,
                    server.getServer().getClass().getName()); // a Vert.x upgrade moved the class this reads
            return;
        }
        // Vert.x's own flag (its public API has none): cleared when the bind failed
        if (server == null || !((TCPServerBase) server.getServer()).isListening()) {
            throw new IllegalStateException("the REST API cannot listen on " + host + ":" + port
                    + " (is another process using the port? set camel.server.port or --port)");
        }
    }
}
