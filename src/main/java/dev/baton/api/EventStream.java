package dev.baton.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.compile.Endpoints;
import dev.baton.pipeline.Json;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/events/stream}: the events of {@code baton.events} as server-sent events, for the web console. One
 * non-durable subscription serves every open stream and exists only while one is open. Streams are bounded in number
 * and in lifetime, and a client that does not keep up is cut off, never buffered for: the browser reconnects and
 * re-reads the state over REST. The path is under {@code /api}, so {@link ApiGuard} checks it like any GET.
 */
public final class EventStream implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);
    static final String PATH = "/api/events/stream";
    /** Open streams at most; one more is refused with 503. */
    static final int MAX_STREAMS = 64;
    /** Streams one identity may hold, so that one client cannot take every stream from everyone else. */
    static final int MAX_STREAMS_PER_IDENTITY = 8;
    /** A comment line this often keeps proxies and the browser from timing an idle stream out. */
    static final long HEARTBEAT_MILLIS = 15_000;
    /** A stream ends after this long and the client opens a new one, so none lives for ever. */
    static final long LIFETIME_MILLIS = 10 * 60_000;

    private final ConnectionFactory connections;
    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private Connection connection; // guarded by this: open while a subscriber is

    public EventStream(ConnectionFactory connections) {
        this.connections = connections;
    }

    /** Serves the stream on Baton's HTTP server, behind the guard {@link ApiGuard#install} put on {@code /api}. */
    public void install(VertxPlatformHttpRouter router) {
        router.get(PATH).handler(this::open);
    }

    /** How many streams are open (tests watch them close). */
    public int open() {
        return subscribers.size();
    }

    private void open(RoutingContext ctx) {
        if (ctx.user() == null) { // the guard did not run: refuse rather than stream to nobody in particular
            problem(ctx, new Problem(401, "Unauthorized", "credentials are required", List.of()));
            return;
        }
        String who = ctx.user().principal().getString("username");
        HttpServerResponse res = ctx.response();
        Subscriber s = new Subscriber(
                ctx.vertx().getOrCreateContext(), res, ctx.request().getParam("run"), who);
        String full = admit(s);
        if (full != null) {
            ctx.response().putHeader("Retry-After", "5");
            problem(ctx, new Problem(503, "Service Unavailable", full + "; retry later", List.of()));
            return;
        }
        res.setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-store")
                .putHeader("X-Content-Type-Options", "nosniff");
        long beat = ctx.vertx().setPeriodic(HEARTBEAT_MILLIS, id -> s.write(": beat\n\n"));
        long end = ctx.vertx().setTimer(LIFETIME_MILLIS, id -> s.end());
        res.closeHandler(v -> closed(ctx, s, beat, end));
        res.endHandler(v -> closed(ctx, s, beat, end));
        ctx.vertx()
                .executeBlocking(
                        () -> {
                            subscribe();
                            return null;
                        },
                        false)
                .onSuccess(v -> s.write("retry: 2000\n: open\n\n")) // said once events can reach it
                .onFailure(e -> {
                    LOG.warn("event stream: cannot subscribe to {}: {}", Endpoints.EVENTS, e.toString());
                    s.end();
                });
    }

    /** Takes a place for the stream, or says why there is none: the check and the add are one step. */
    private synchronized String admit(Subscriber s) {
        if (subscribers.size() >= MAX_STREAMS) {
            return MAX_STREAMS + " event streams are open";
        }
        if (subscribers.stream().filter(o -> s.who().equals(o.who())).count() >= MAX_STREAMS_PER_IDENTITY) {
            return "'" + s.who() + "' has " + MAX_STREAMS_PER_IDENTITY
                    + " event streams open, the most one identity may";
        }
        subscribers.add(s);
        return null;
    }

    private void closed(RoutingContext ctx, Subscriber s, long beat, long end) {
        ctx.vertx().cancelTimer(beat);
        ctx.vertx().cancelTimer(end);
        if (subscribers.remove(s)) {
            ctx.vertx()
                    .executeBlocking(
                            () -> {
                                unsubscribeIfIdle();
                                return null;
                            },
                            false);
        }
    }

    private synchronized void subscribe() throws JMSException {
        if (connection != null || subscribers.isEmpty()) {
            return;
        }
        Connection c = connections.createConnection();
        try {
            Session session = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            session.createConsumer(session.createTopic(Endpoints.EVENTS)).setMessageListener(this::deliver);
            c.setExceptionListener(e -> lost(c, e));
            c.start();
        } catch (JMSException | RuntimeException e) {
            c.close();
            throw e;
        }
        connection = c;
    }

    private synchronized void unsubscribeIfIdle() {
        if (connection != null && subscribers.isEmpty()) {
            closeQuietly(connection);
            connection = null;
        }
    }

    /** The broker connection broke: end every stream; their clients reconnect and subscribe anew. */
    private void lost(Connection c, JMSException e) {
        LOG.warn("event stream: lost the subscription to {}: {}", Endpoints.EVENTS, e.toString());
        synchronized (this) {
            if (connection == c) {
                connection = null;
            }
        }
        closeQuietly(c);
        subscribers.forEach(Subscriber::end);
    }

    private void deliver(Message m) {
        try {
            if (!(m instanceof TextMessage text) || text.getText() == null) return;
            String body = text.getText();
            JsonNode event = Json.parse(body);
            String frame = "data: " + body.replace("\n", "\ndata: ") + "\n\n";
            for (Subscriber s : subscribers) {
                if (s.wants(event)) {
                    s.write(frame);
                }
            }
        } catch (JMSException | RuntimeException e) {
            LOG.warn("event stream: an event could not be passed on: {}", e.toString());
        }
    }

    @Override
    public void close() {
        subscribers.forEach(Subscriber::end);
        synchronized (this) {
            if (connection != null) {
                closeQuietly(connection);
                connection = null;
            }
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (JMSException e) {
            LOG.debug("closing the events subscription: {}", e.toString());
        }
    }

    private static void problem(RoutingContext ctx, Problem p) {
        ctx.response()
                .setStatusCode(p.status())
                .putHeader("Content-Type", "application/problem+json")
                .end(Json.write(p.toJson()));
    }

    /** One open stream: its response, written on its own event loop, and which events it wants. */
    private record Subscriber(Context context, HttpServerResponse response, String run, String who) {
        /** With {@code ?run=<id>} that run's events, otherwise every event. */
        boolean wants(JsonNode event) {
            return run == null || run.equals(event.path("runId").asText());
        }

        void write(String frame) {
            context.runOnContext(v -> {
                if (response.ended() || response.closed()) return;
                if (response.writeQueueFull()) {
                    response.reset(); // too slow: closes the connection; the client re-reads the state when it
                    // reconnects
                    return;
                }
                response.write(frame);
            });
        }

        void end() {
            context.runOnContext(v -> {
                if (!response.ended() && !response.closed()) response.end();
            });
        }
    }
}
