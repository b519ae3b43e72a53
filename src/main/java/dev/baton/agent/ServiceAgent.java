package dev.baton.agent;

import com.fasterxml.jackson.databind.JsonNode;

/** A built-in agent that does a ticket by calling a service (the {@code llm} and {@code http} kinds). */
public interface ServiceAgent {
    /**
     * Does one ticket.
     *
     * @param ticket the ticket message as the agent protocol (README) defines it
     * @throws AgentFailure when the service failed; the failure says whether to try again
     */
    AgentResult handle(JsonNode ticket) throws AgentFailure;
}
