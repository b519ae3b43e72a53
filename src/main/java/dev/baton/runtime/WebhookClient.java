package dev.baton.runtime;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/** POSTs one event to one webhook with short timeouts and says how it went; never follows redirects. */
final class WebhookClient {
    /** The answer: a status code, or the error that prevented one. */
    record Result(Integer statusCode, String error) {
        boolean ok() {
            return statusCode != null && statusCode >= 200 && statusCode < 300;
        }
    }

    private final HttpClient http;
    private final Duration timeout;

    WebhookClient(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    Result post(URI url, String body, String eventId, String deliveryId, int attempt) {
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", "Baton")
                .header("Baton-Event-Id", eventId)
                .header("Baton-Delivery-Id", deliveryId)
                .header("Baton-Delivery-Attempt", Integer.toString(attempt))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            HttpResponse<Void> r = http.send(request, HttpResponse.BodyHandlers.discarding());
            return new Result(r.statusCode(), r.statusCode() / 100 == 2 ? null : "HTTP " + r.statusCode());
        } catch (HttpTimeoutException e) {
            return new Result(null, "timed out after " + timeout.toMillis() + "ms");
        } catch (IOException e) {
            String why = e.getMessage() == null ? "" : ": " + e.getMessage();
            return new Result(null, e.getClass().getSimpleName() + why);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while posting to the webhook", e);
        }
    }
}
