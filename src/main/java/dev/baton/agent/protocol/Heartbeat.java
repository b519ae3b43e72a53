package dev.baton.agent.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.pipeline.Json;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * An agent instance's sign of life on {@code baton.heartbeats}: which agent, which instance, when, and the tickets it
 * holds.
 *
 * @param at when it was sent (ISO-8601), or null
 * @param inFlight the ids of the tickets the instance holds, or null (then not written)
 */
@JsonPropertyOrder({"type", "agent", "instance", "at", "inFlight"})
public record Heartbeat(
        String type,
        String agent,
        String instance,
        String at,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<String> inFlight) {
    /** The {@code type} of a heartbeat; a message without one is taken as a heartbeat too. */
    public static final String TYPE = "heartbeat";

    /** A heartbeat of {@code instance} of {@code agent} sent {@code at}, holding nothing it reports. */
    public static Heartbeat of(String agent, String instance, Instant at) {
        return new Heartbeat(TYPE, agent, instance, at.toString(), null);
    }

    /**
     * Reads a heartbeat leniently: {@code agent} and {@code instance} stripped (null when missing, not text or blank),
     * {@code inFlight} keeping its text entries only, at most {@code maxInFlight} of them. {@code type} is as sent,
     * {@value #TYPE} when missing; the caller decides what to do with another.
     */
    public static Heartbeat read(JsonNode json, int maxInFlight) {
        List<String> inFlight = new ArrayList<>();
        json.path("inFlight").forEach(t -> {
            if (t.isTextual() && inFlight.size() < maxInFlight) inFlight.add(t.asText());
        });
        return new Heartbeat(
                json.path("type").asText(TYPE),
                text(json, "agent"),
                text(json, "instance"),
                json.path("at").isTextual() ? json.get("at").asText() : null,
                List.copyOf(inFlight));
    }

    /** {@link #at} as an instant; null when absent or not an ISO-8601 instant. */
    public Instant sentAt() {
        try {
            return at == null ? null : Instant.parse(at);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The message as its JSON text on the wire. */
    public String toJson() {
        return Json.write(this);
    }

    private static String text(JsonNode n, String field) {
        String v = n.path(field).isTextual() ? n.get(field).asText().strip() : null;
        return v == null || v.isEmpty() ? null : v;
    }
}
