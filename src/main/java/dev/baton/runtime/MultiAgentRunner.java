package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.pipeline.MultiAgentStage;
import dev.baton.ticket.Rows.TicketRow;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.TicketStatus;
import java.sql.SQLException;
import java.util.List;

/**
 * Runs an {@code agents} stage: the same input to every agent (a recipient list through the outbox relay), and an
 * aggregation over the tickets' rows — the aggregation repository is the ticket table, updated in the transaction
 * that applies each reply — that decides, possibly before every agent has answered.
 */
final class MultiAgentRunner implements StageRunner<MultiAgentStage> {
    private final Flow flow;
    private final RunStore store;
    private final Tickets tickets;

    MultiAgentRunner(Flow flow, RunStore store, Tickets tickets) {
        this.flow = flow;
        this.store = store;
        this.tickets = tickets;
    }

    @Override
    public void start(Step s, Scope scope, MultiAgentStage stage) throws SQLException {
        int iteration = flow.row(s, scope, stage).iteration();
        JsonNode input = flow.input(s, scope, stage);
        TicketPolicy policy = TicketPolicy.of(stage.base());
        for (int i = 0; i < stage.agents().size(); i++) {
            String agent = stage.agents().get(i);
            TicketRow t = Tickets.row(s, scope.qualified(stage), iteration, i, stage.name() + " (" + agent + ")",
                    agent, input, TicketStatus.PENDING);
            tickets.start(s, t, policy, stage.strategy().yaml() + " of " + stage.agents().size() + " agents");
        }
        flow.putStage(s, flow.row(s, scope, stage).items(stage.agents().size(), stage.agents().size(), 0));
    }

    @Override
    public void succeeded(Step s, Scope scope, MultiAgentStage stage, TicketRow t, JsonNode output)
            throws SQLException {
        String detail = null;
        if (stage.strategy().ballots()) {
            detail = "ballot " + Aggregation.ballotText(Aggregation.ballot(stage, output));
        }
        tickets.succeed(s, t, output, detail);
        decide(s, scope, stage);
    }

    @Override
    public void failed(Step s, Scope scope, MultiAgentStage stage, TicketRow t, String error) throws SQLException {
        tickets.fail(s, t, error);
        decide(s, scope, stage);
    }

    private void decide(Step s, Scope scope, MultiAgentStage stage) throws SQLException {
        var row = flow.row(s, scope, stage);
        List<TicketRow> all = store.tickets(s.c, s.run.id(), scope.qualified(stage), row.iteration());
        int ended = (int) all.stream().filter(x -> x.status().terminal()).count();
        flow.putStage(s, row.items(row.itemsTotal(), row.itemsNext(), ended));
        Aggregation.Outcome outcome = Aggregation.decide(stage, all);
        if (outcome == null) {
            return;
        }
        for (TicketRow other : all) {
            if (other.status().active()) {
                tickets.cancel(s, other, "stage decided early (" + stage.strategy().yaml() + ")");
            }
        }
        if (outcome.error() == null) {
            flow.stageSucceeded(s, scope, stage, outcome.output(), outcome.detail());
        } else {
            flow.stageFailed(s, scope, stage, outcome.error());
        }
    }
}
