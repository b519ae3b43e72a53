package dev.baton.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.baton.pipeline.Json;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A local HTTP server for the llm and http agent kinds: each path answers from a script (status and body per request
 * number, or no answer at all until the server closes), and keeps every request it received.
 */
public final class FakeService implements AutoCloseable {
    /** One request as received. */
    public record Request(String method, String path, Map<String, List<String>> headers, String body) {
        public JsonNode json() {
            return Json.parse(body);
        }

        public String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0))
                    .findFirst()
                    .orElse(null);
        }
    }

    /** What to answer to one request; {@code status} 0 means: hold the request open and never answer. */
    public record Answer(int status, String contentType, String body) {
        public static final Answer HANG = new Answer(0, null, null);

        public static Answer json(int status, String body) {
            return new Answer(status, "application/json", body);
        }

        public static Answer text(int status, String body) {
            return new Answer(status, "text/plain", body);
        }
    }

    /** Picks the answer by request number (1, 2, ...). */
    public interface Script {
        Answer answer(int n, Request request);
    }

    private final HttpServer http;
    private final Map<String, List<Request>> received = new ConcurrentHashMap<>();
    private final CountDownLatch closing = new CountDownLatch(1);

    private FakeService(HttpServer http) {
        this.http = http;
    }

    public static FakeService start() throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.setExecutor(Executors.newCachedThreadPool());
        FakeService s = new FakeService(http);
        http.start();
        return s;
    }

    public FakeService path(String path, Script script) {
        received.put(path, new ArrayList<>());
        http.createContext(path, ex -> answer(ex, path, script));
        return this;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + http.getAddress().getPort() + path;
    }

    public List<Request> requests(String path) {
        List<Request> list = received.get(path);
        synchronized (list) {
            return List.copyOf(list);
        }
    }

    private void answer(HttpExchange ex, String path, Script script) throws IOException {
        Request r = new Request(
                ex.getRequestMethod(),
                ex.getRequestURI().getPath(),
                Map.copyOf(ex.getRequestHeaders()),
                new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        List<Request> list = received.get(path);
        int n;
        synchronized (list) {
            list.add(r);
            n = list.size();
        }
        Answer a = script.answer(n, r);
        if (a.status() == 0) {
            try {
                closing.await(2, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
            return;
        }
        byte[] body = a.body() == null ? new byte[0] : a.body().getBytes(StandardCharsets.UTF_8);
        if (a.contentType() != null) ex.getResponseHeaders().set("Content-Type", a.contentType());
        ex.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) ex.getResponseBody().write(body);
        ex.close();
    }

    /** An OpenAI chat-completions answer whose message content is {@code content}, with a token usage. */
    public static Answer chatCompletion(String content, int promptTokens, int completionTokens) {
        var o = Json.object()
                .put("id", "chatcmpl-1")
                .put("object", "chat.completion")
                .put("created", 1764460800)
                .put("model", "test-model");
        var choice = o.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop");
        choice.putObject("message").put("role", "assistant").put("content", content);
        o.putObject("usage")
                .put("prompt_tokens", promptTokens)
                .put("completion_tokens", completionTokens)
                .put("total_tokens", promptTokens + completionTokens);
        return Answer.json(200, Json.write(o));
    }

    /** An OpenAI-style error answer. */
    public static Answer openAiError(int status, String message) {
        var o = Json.object();
        o.putObject("error").put("message", message).put("type", "invalid_request_error");
        return Answer.json(status, Json.write(o));
    }

    @Override
    public void close() {
        closing.countDown();
        http.stop(0);
        ((java.util.concurrent.ExecutorService) http.getExecutor()).shutdownNow();
    }
}
