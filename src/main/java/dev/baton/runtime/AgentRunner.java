package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.pipeline.AgentStage;
import dev.baton.ticket.Rows.TicketRow;
import dev.baton.ticket.TicketStatus;
import java.sql.SQLException;

/** Runs an {@code agent} stage: one ticket for one agent; its outcome is the stage's. */
final class AgentRunner implements StageRunner<AgentStage> {
    private final Flow flow;
    private final Tickets tickets;

    AgentRunner(Flow flow, Tickets tickets) {
        this.flow = flow;
        this.tickets = tickets;
    }

    @Override
    public void start(Step s, Scope scope, AgentStage stage) throws SQLException {
        int iteration = flow.row(s, scope, stage).iteration();
        TicketRow t = Tickets.row(s, scope.qualified(stage), iteration, 0, stage.name(), stage.agent(),
                flow.input(s, scope, stage), TicketStatus.PENDING);
        tickets.start(s, t, TicketPolicy.of(stage.base()), null);
    }

    @Override
    public void succeeded(Step s, Scope scope, AgentStage stage, TicketRow t, JsonNode output) throws SQLException {
        tickets.succeed(s, t, output, null);
        flow.stageSucceeded(s, scope, stage, output, null);
    }

    @Override
    public void failed(Step s, Scope scope, AgentStage stage, TicketRow t, String error) throws SQLException {
        tickets.fail(s, t, error);
        flow.stageFailed(s, scope, stage,
                Tickets.attemptOf(t, stage.base().retry().maxAttempts()) + " failed: " + error);
    }
}
