package dev.baton.api;

import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * Serves the web console, plain files from the jar's {@code console/} folder, at {@code /console/}; {@code GET /}
 * leads there. The files hold no data and no secret: everything they show comes from {@code /api} with the
 * credentials the person signs in with, so they need none themselves.
 */
public final class Console {
    static final String PATH = "/console/";
    /** Scripts and styles only from Baton itself: no inline script, nothing from elsewhere. */
    private static final String POLICY =
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                    + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private Console() {}

    /** Adds the console's routes to Baton's HTTP server. */
    public static void install(VertxPlatformHttpRouter router) {
        router.get("/").handler(ctx -> redirect(ctx));
        router.get("/console").handler(ctx -> {
            if (ctx.request().path().endsWith("/")) {
                ctx.next(); // Vert.x lets "/console" match "/console/" too: that one is the index page
            } else {
                redirect(ctx);
            }
        });
        StaticHandler files = StaticHandler.create("console")
                .setIndexPage("index.html")
                .setCachingEnabled(false)
                .setDirectoryListing(false);
        router.route(PATH + "*")
                .handler(ctx -> {
                    ctx.response()
                            .putHeader("Content-Security-Policy", POLICY)
                            .putHeader("X-Content-Type-Options", "nosniff")
                            .putHeader("Referrer-Policy", "no-referrer")
                            .putHeader("Cache-Control", "no-cache");
                    ctx.next();
                })
                .handler(files);
    }

    private static void redirect(RoutingContext ctx) {
        ctx.response().setStatusCode(302).putHeader("Location", PATH).end();
    }
}
