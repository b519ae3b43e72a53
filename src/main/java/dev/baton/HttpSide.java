package dev.baton;

import dev.baton.api.ApiGuard;
import dev.baton.api.ApiRoutes;
import dev.baton.api.BatonHttpServer;
import dev.baton.api.Console;
import dev.baton.api.EventStream;
import dev.baton.api.HttpFront;
import dev.baton.api.HttpListening;
import dev.baton.api.auth.LiveSecurity;
import jakarta.jms.ConnectionFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

/**
 * Baton's HTTP face: the server that answers 503 from the moment its port opens until {@link #ready()}, the guard in
 * front of {@code /api}, the API routes, the live event streams and the web console.
 */
final class HttpSide implements AutoCloseable {
    private final HttpFront front = new HttpFront();
    private final ApiGuard guard;
    private EventStream events;

    /** @param security security.yaml as it says now; null when the API runs open */
    HttpSide(LiveSecurity security) {
        this.guard = new ApiGuard(security == null ? null : security.authenticator());
    }

    /** Before Camel starts: the HTTP server and the API's routes. */
    void bind(Main main, ApiRoutes routes) {
        main.bind("batonHttpServer", BatonHttpServer.factory(front));
        main.configure().addRoutesBuilder(routes);
    }

    /** Once Camel has started: the port is checked to be Baton's, then the guard, event streams and console go in. */
    void open(CamelContext camel, String host, int port, ConnectionFactory connections) {
        HttpListening.require(camel, host, port);
        guard.install(camel);
        events = new EventStream(connections);
        events.install(ApiGuard.router(camel));
        Console.install(ApiGuard.router(camel));
    }

    /** From now on requests reach the routes instead of a 503. */
    void ready() {
        front.ready();
    }

    /** The live event streams of the web console; null before {@link #open}. */
    EventStream events() {
        return events;
    }

    @Override
    public void close() {
        if (events != null) events.close();
    }
}
