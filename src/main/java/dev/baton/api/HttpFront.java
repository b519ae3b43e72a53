package dev.baton.api;

import dev.baton.pipeline.Json;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every HTTP request meets before Baton's routes, installed before the port opens: 503 with Retry-After until
 * Baton is ready, HEAD answered as GET without the body, a header Baton reads refused when sent twice, and every
 * error of the HTTP server itself (a request it cannot read, an unknown path, a wrong method, a body too large or of
 * the wrong type) answered as {@code application/problem+json}.
 */
public final class HttpFront {
    private static final Logger LOG = LoggerFactory.getLogger(HttpFront.class);
    static final String PROBLEM_JSON = "application/problem+json";
    /** Headers Baton reads once: a second copy is ignored or joined to the first, so a proxy may see another one. */
    static final List<String> SINGLE_HEADERS = List.of("Authorization", "X-API-Key", "Idempotency-Key", "Content-Type");

    private volatile boolean ready;
    private volatile CamelContext camel;

    /** From now on requests reach the routes: the engine, the API's guard and routes/ are in place. */
    public void ready() {
        ready = true;
    }

    void install(CamelContext context, Router top) {
        this.camel = context;
        top.route().order(-1000).handler(this::gate);
        top.route().order(-999).handler(HttpFront::headAsGet);
        top.route("/api/*").order(-998).handler(HttpFront::singleHeaders);
        top.errorHandler(
                400,
                ctx -> problem(
                        ctx,
                        new Problem(
                                400,
                                "Bad Request",
                                "the request cannot be read: "
                                        + (ctx.failure() == null
                                                ? "bad request line"
                                                : ctx.failure().getMessage()),
                                List.of())));
        top.errorHandler(
                404,
                ctx -> problem(
                        ctx,
                        new Problem(
                                404,
                                "Not Found",
                                "no resource at " + ctx.request().method().name() + " "
                                        + ctx.request().path() + "; GET /api/openapi.json lists every endpoint",
                                List.of())));
        top.errorHandler(405, ctx -> {
            String allow = String.join(", ", allowed(ctx.request().path()));
            ctx.response().putHeader("Allow", allow);
            problem(
                    ctx,
                    new Problem(
                            405,
                            "Method Not Allowed",
                            ctx.request().method().name() + " is not allowed on "
                                    + ctx.request().path() + "; allowed: " + allow,
                            List.of()));
        });
        top.errorHandler(
                415,
                ctx -> problem(
                        ctx,
                        new Problem(
                                415,
                                "Unsupported Media Type",
                                "Content-Type " + ctx.request().getHeader("Content-Type") + " is not accepted by "
                                        + ctx.request().method().name() + " "
                                        + ctx.request().path()
                                        + "; see GET /api/openapi.json",
                                List.of())));
        top.errorHandler(
                413,
                ctx -> problem(
                        ctx,
                        new Problem(
                                413,
                                "Content Too Large",
                                "the request body is larger than the server accepts",
                                List.of())));
        top.errorHandler(500, ctx -> {
            LOG.error(
                    "HTTP request failed: {}",
                    ctx.failure() == null ? "(no cause)" : ctx.failure().toString());
            problem(ctx, new Problem(500, "Internal Server Error", "the request failed", List.of()));
        });
    }

    private void gate(RoutingContext ctx) {
        if (ready) {
            ctx.next();
            return;
        }
        ctx.response().putHeader("Retry-After", "1");
        problem(ctx, new Problem(503, "Service Unavailable", "Baton is starting; retry in a moment", List.of()));
    }

    /** Vert.x leaves the body out of a HEAD answer by itself; routing it as GET gives the same status and headers. */
    private static void headAsGet(RoutingContext ctx) {
        if (ctx.request().method() == HttpMethod.HEAD) {
            ctx.reroute(HttpMethod.GET, ctx.request().uri());
        } else {
            ctx.next();
        }
    }

    private static void singleHeaders(RoutingContext ctx) {
        for (String name : SINGLE_HEADERS) {
            int n = ctx.request().headers().getAll(name).size();
            if (n > 1) {
                problem(
                        ctx,
                        new Problem(
                                400,
                                "Bad Request",
                                "header " + name + " was sent " + n + " times; send it once",
                                List.of()));
                return;
            }
        }
        ctx.next();
    }

    /** A request the HTTP decoder refused (its line or headers too long, or not HTTP): answered, then closed. */
    void invalid(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        Problem p;
        if (cause instanceof TooLongHttpLineException) {
            p = new Problem(
                    414, "URI Too Long", "the request line is longer than the server accepts (4096 bytes)", List.of());
        } else if (cause instanceof TooLongHttpHeaderException) {
            p = new Problem(
                    431,
                    "Request Header Fields Too Large",
                    "the request headers are larger than the server accepts (8192 bytes)",
                    List.of());
        } else {
            p = new Problem(
                    400,
                    "Bad Request",
                    "the request is not valid HTTP: " + (cause == null ? "unreadable" : cause.getMessage()),
                    List.of());
        }
        request.response()
                .setStatusCode(p.status())
                .putHeader("Content-Type", PROBLEM_JSON)
                .putHeader("Connection", "close")
                .end(Json.write(p.toJson()))
                .onComplete(done -> request.connection().close());
    }

    /** The methods the routes of the HTTP server take at this path, as an Allow header lists them. */
    private Set<String> allowed(String path) {
        Set<String> methods = new TreeSet<>();
        for (VertxPlatformHttpRouter router : camel.getRegistry().findByType(VertxPlatformHttpRouter.class)) {
            if (!router.isMainServer()) {
                continue;
            }
            for (Route route : router.getRoutes()) {
                // a route without methods is a handler every request passes (the guard), not an endpoint
                if (route.methods() != null && route.getPath() != null && matches(route.getPath(), path)) {
                    route.methods().forEach(m -> methods.add(m.name()));
                }
            }
        }
        if (methods.contains("GET")) {
            methods.add("HEAD");
        }
        return methods;
    }

    /** Whether a route's path such as {@code /api/runs/:id} takes this one (a {@code :name} is one segment). */
    static boolean matches(String routePath, String path) {
        String[] t = routePath.replaceAll("/+$", "").split("/");
        String[] p = path.replaceAll("/+$", "").split("/");
        if (t.length != p.length) {
            return false;
        }
        for (int i = 0; i < t.length; i++) {
            if (t[i].startsWith(":") ? p[i].isEmpty() : !t[i].equals(p[i])) {
                return false;
            }
        }
        return true;
    }

    /** Answers the problem, unless an answer has already begun; a refused request's body is read and dropped. */
    static void problem(RoutingContext ctx, Problem p) {
        if (ctx.response().ended()) {
            return;
        }
        ctx.request().resume();
        ctx.response()
                .setStatusCode(p.status())
                .putHeader("Content-Type", PROBLEM_JSON)
                .end(Json.write(p.toJson()));
    }
}
