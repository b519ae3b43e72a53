package dev.baton.agent;

import dev.baton.agent.protocol.Ticket;

/** A built-in agent that does a ticket by calling a service (the {@code llm} and {@code http} kinds). */
public interface ServiceAgent {
    /**
     * Does one ticket.
     *
     * @throws AgentFailure when the service failed; the failure says whether to try again
     */
    AgentResult handle(Ticket ticket) throws AgentFailure;
}
