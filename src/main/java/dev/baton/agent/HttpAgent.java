package dev.baton.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.baton.agent.protocol.Ticket;
import dev.baton.pipeline.StrictJson;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The {@code http} agent: POSTs the ticket JSON to a URL; a 2xx answer's JSON body is the output (a body that is not
 * JSON becomes a string output, an empty one null).
 */
public final class HttpAgent implements ServiceAgent {
    private final String name;
    private final HttpOptions options;
    private final Function<String, String> env;
    private final HttpClient client;

    /** @param env looks up environment variables ({@code System::getenv}; tests pass their own) */
    public HttpAgent(String name, HttpOptions options, Function<String, String> env) {
        this.name = name;
        this.options = options;
        this.env = env;
        this.client = HttpClient.newBuilder()
                .connectTimeout(options.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public AgentResult handle(Ticket ticket) throws AgentFailure {
        List<String> secrets = new ArrayList<>();
        HttpRequest.Builder request = HttpRequest.newBuilder(options.url())
                .timeout(options.timeout())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("X-Baton-Ticket", ticket.ticketId())
                .header("X-Baton-Attempt", Integer.toString(ticket.attempt()));
        if (ticket.traceparent() != null) {
            // W3C trace context: a service instrumented with OpenTelemetry joins the run's trace under the attempt
            request.header("traceparent", ticket.traceparent());
        }
        for (Map.Entry<String, String> h : options.headers().entrySet()) {
            try {
                request.setHeader(h.getKey(), EnvValues.resolve(h.getValue(), env, secrets));
            } catch (AgentFailure e) {
                throw AgentFailure.permanent(what() + ": header " + h.getKey() + ": " + e.getMessage());
            }
        }
        HttpResponse<String> response;
        try {
            response = client.send(
                    request.POST(HttpRequest.BodyPublishers.ofString(ticket.toJson()))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw HttpFailures.forIo(what(), e, options.timeout(), secrets);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw AgentFailure.retryable(what() + ": interrupted");
        }
        if (response.statusCode() / 100 != 2) {
            throw HttpFailures.forStatus(what(), response.statusCode(), response.body(), secrets);
        }
        return new AgentResult(output(response.body()), null);
    }

    private static JsonNode output(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        JsonNode json = StrictJson.parseOrNull(body);
        return json != null ? json : new TextNode(body);
    }

    private String what() {
        return "agent '" + name + "' (POST " + options.url() + ")";
    }
}
