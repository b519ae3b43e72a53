package dev.baton.agent.protocol;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.baton.pipeline.Json;

/**
 * What Baton tells the agents of one agent name on {@code baton.control.<agent>}; today only that an attempt they may
 * hold is cancelled ({@code type: cancel}), so its agent can stop the work.
 */
@JsonPropertyOrder({"type", "ticketId", "attempt", "runId", "stage", "agent", "reason"})
public record Control(
        String type, String ticketId, int attempt, String runId, String stage, String agent, String reason) {
    /** The {@code type} of a cancellation. */
    public static final String CANCEL = "cancel";

    /** Attempt {@code attempt} of ticket {@code ticketId} is cancelled, for {@code reason}. */
    public static Control cancel(
            String ticketId, int attempt, String runId, String stage, String agent, String reason) {
        return new Control(CANCEL, ticketId, attempt, runId, stage, agent, reason);
    }

    /** The message as its JSON text on the wire. */
    public String toJson() {
        return Json.write(this);
    }
}
