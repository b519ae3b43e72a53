package dev.baton.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntUnaryOperator;

/** A local HTTP server for webhook tests: each path answers by the number of the request, and keeps every request. */
final class WebhookServer implements AutoCloseable {
    /** One POST as received. */
    record Request(Instant at, String body, String eventId, int attempt) {}

    private final HttpServer http;
    private final Map<String, List<Request>> received = new ConcurrentHashMap<>();

    private WebhookServer(HttpServer http) {
        this.http = http;
    }

    static WebhookServer start() throws IOException {
        WebhookServer s = new WebhookServer(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0));
        s.http.start();
        return s;
    }

    /** Serves {@code path}; {@code status} maps the request's number (1, 2, …) to the status code answered. */
    WebhookServer path(String path, IntUnaryOperator status) {
        received.put(path, new ArrayList<>());
        http.createContext(path, ex -> answer(ex, path, status));
        return this;
    }

    String url(String path) {
        return "http://127.0.0.1:" + http.getAddress().getPort() + path;
    }

    List<Request> requests(String path) {
        List<Request> list = received.get(path);
        synchronized (list) {
            return List.copyOf(list);
        }
    }

    private void answer(HttpExchange ex, String path, IntUnaryOperator status) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        List<Request> list = received.get(path);
        int n;
        synchronized (list) {
            list.add(new Request(
                    Instant.now(),
                    body,
                    ex.getRequestHeaders().getFirst("Baton-Event-Id"),
                    Integer.parseInt(ex.getRequestHeaders().getFirst("Baton-Delivery-Attempt"))));
            n = list.size();
        }
        ex.sendResponseHeaders(status.applyAsInt(n), -1);
        ex.close();
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
