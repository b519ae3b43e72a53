package dev.baton.api;

import dev.baton.api.auth.AccessTable;
import dev.baton.api.auth.Authenticator;
import dev.baton.api.auth.Identity;
import dev.baton.api.auth.Role;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConstants;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks every HTTP request under {@code /api} before any route sees it: who sent it ({@link Authenticator}) and
 * whether its role may call that method and path ({@link AccessTable}); answers 401 and 403 as
 * {@code application/problem+json} ({@link HttpFront} answers the HTTP server's own errors). The identity reaches the
 * route as the Vert.x user.
 */
public final class ApiGuard {
    private static final Logger LOG = LoggerFactory.getLogger(ApiGuard.class);
    static final String CHALLENGE_BEARER = "Bearer realm=\"baton\"";
    static final String CHALLENGE_BASIC = "Basic realm=\"baton\", charset=\"UTF-8\"";
    /** Who calls when the API runs open (the demo): no credentials, every right. */
    public static final Identity OPEN = new Identity("anonymous", Role.ADMIN, "open");

    private final Authenticator authenticator;
    private final boolean open;

    /** @param authenticator null when the API runs open */
    public ApiGuard(Authenticator authenticator) {
        this.authenticator = authenticator;
        this.open = authenticator == null;
    }

    /** Puts the guard in front of every {@code /api} route of the HTTP server Camel started. */
    public void install(CamelContext camel) {
        VertxPlatformHttpRouter router = router(camel);
        router.route("/api/*").order(-100).handler(this::check);
    }

    /** The router of the HTTP server Camel started, where Baton adds its own Vert.x handlers. */
    public static VertxPlatformHttpRouter router(CamelContext camel) {
        return camel.getRegistry().findByType(VertxPlatformHttpRouter.class).stream()
                .filter(VertxPlatformHttpRouter::isMainServer)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("Camel started no platform-http server"));
    }

    private void check(RoutingContext ctx) {
        Optional<Role> needed = AccessTable.required(ctx.request().method().name(), ctx.normalizedPath());
        if (needed.isEmpty()) {
            ctx.next();
            return;
        }
        if (open) {
            admit(ctx, needed.get(), new Authenticator.Outcome.Known(OPEN));
            return;
        }
        String authorization = ctx.request().getHeader("Authorization");
        String apiKey = ctx.request().getHeader("X-API-Key");
        if (!authenticator.slow(authorization)) {
            admit(ctx, needed.get(), authenticator.authenticate(authorization, apiKey));
            return;
        }
        // PBKDF2 takes a good part of a second: never on the event loop. The request is paused meanwhile so that
        // no body bytes arrive before the route's body handler (which resumes it) is there to read them.
        ctx.request().pause();
        ctx.vertx()
                .executeBlocking(() -> authenticator.authenticate(authorization, apiKey), false)
                .onComplete(done -> {
                    if (done.succeeded()) {
                        admit(ctx, needed.get(), done.result());
                    } else {
                        ctx.fail(500, done.cause());
                    }
                });
    }

    /**
     * Vert.x Web 4.5 deprecates {@code setUser} for its own authentication handlers and offers no other setter; this
     * guard is such a handler (it checks Baton's credentials), so it sets the user itself.
     */
    @SuppressWarnings("deprecation")
    private static void authenticated(RoutingContext ctx, User user) {
        ctx.setUser(user);
    }

    private void admit(RoutingContext ctx, Role needed, Authenticator.Outcome out) {
        if (out instanceof Authenticator.Outcome.None) {
            unauthorized(
                    ctx,
                    "credentials are required: send Authorization: Bearer <API key>, X-API-Key, or " + "HTTP basic");
            return;
        }
        if (out instanceof Authenticator.Outcome.Bad bad) {
            LOG.info(
                    "refused {} {} from {}: {}",
                    ctx.request().method(),
                    ctx.normalizedPath(),
                    ctx.request().remoteAddress(),
                    bad.reason());
            unauthorized(ctx, bad.reason());
            return;
        }
        Identity who = ((Authenticator.Outcome.Known) out).identity();
        if (!who.role().includes(needed)) {
            problem(
                    ctx,
                    new Problem(
                            403,
                            "Forbidden",
                            "'" + who.name() + "' has role " + who.role().label() + "; "
                                    + ctx.request().method().name() + " " + ctx.normalizedPath() + " needs "
                                    + needed.label(),
                            List.of()));
            return;
        }
        authenticated(
                ctx,
                User.create(new JsonObject()
                        .put("username", who.name())
                        .put("role", who.role().label())
                        .put("via", who.via())));
        try {
            // The secret stays here: no route, log line or error message downstream can show it.
            ctx.request().headers().remove("Authorization").remove("X-API-Key");
        } catch (UnsupportedOperationException e) {
            LOG.debug("request headers are read-only; credentials stay on the request");
        }
        ctx.next();
    }

    /** The identity the guard put on a request, or null when none (a public endpoint, or no guard installed). */
    static Identity identity(Exchange ex) {
        Object u = ex.getMessage().getHeader(VertxPlatformHttpConstants.AUTHENTICATED_USER);
        if (!(u instanceof User user)) {
            return null;
        }
        JsonObject p = user.principal();
        Role role = Role.of(p.getString("role"));
        return role == null ? null : new Identity(p.getString("username"), role, p.getString("via"));
    }

    private static void unauthorized(RoutingContext ctx, String detail) {
        ctx.response().headers().add("WWW-Authenticate", CHALLENGE_BEARER).add("WWW-Authenticate", CHALLENGE_BASIC);
        problem(ctx, new Problem(401, "Unauthorized", detail, List.of()));
    }

    private static void problem(RoutingContext ctx, Problem p) {
        HttpFront.problem(ctx, p);
    }
}
