package dev.baton.runtime;

import dev.baton.compile.Scope;
import dev.baton.pipeline.MultiAgentStage;
import dev.baton.ticket.Rows.StageRow;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.TicketRow;
import dev.baton.ticket.TicketStatus;
import java.sql.SQLException;
import java.util.List;

/**
 * The steps of an {@code agents} stage's routes: one ticket per agent (the recipient list's targets), each reply
 * recorded on its ticket, and the decision once the aggregator over the stage's tickets completes.
 */
final class MultiAgentSteps {
    private final Stages stages;
    private final RunStore store;
    private final Tickets tickets;

    MultiAgentSteps(Stages stages, RunStore store, Tickets tickets) {
        this.stages = stages;
        this.store = store;
        this.tickets = tickets;
    }

    /** The ticket of the {@code i}-th agent. */
    void dispatch(Step s, Scope scope, MultiAgentStage stage, int i) throws SQLException {
        String agent = stage.agents().get(i);
        TicketRow t = Tickets.row(
                s,
                scope.qualified(stage),
                stages.row(s, scope, stage).iteration(),
                i,
                stage.name() + " (" + agent + ")",
                agent,
                stages.input(s, scope, stage),
                TicketStatus.PENDING);
        tickets.start(
                s,
                t,
                TicketPolicy.of(stage.base()),
                stage.strategy().yaml() + " of " + stage.agents().size() + " agents");
    }

    void sent(Step s, Scope scope, MultiAgentStage stage) throws SQLException {
        int n = stage.agents().size();
        stages.putStage(s, stages.row(s, scope, stage).items(n, n, 0));
    }

    /** Records the ticket's outcome; a vote's ballot is its history detail. */
    TicketRow ended(Step s, MultiAgentStage stage, TicketEnd e) throws SQLException {
        if (e.failed()) {
            return tickets.fail(s, e.ticket(), e.error());
        }
        String detail = stage.strategy().ballots()
                ? "ballot " + Aggregation.ballotText(Aggregation.ballot(stage, e.output()))
                : null;
        return tickets.succeed(s, e.ticket(), e.output(), detail);
    }

    /** The aggregator's state: the stage iteration's tickets, in agent order. */
    List<TicketRow> tickets(Step s, Scope scope, MultiAgentStage stage) throws SQLException {
        return store.ticketRows()
                .tickets(
                        s.c,
                        s.run.id(),
                        scope.qualified(stage),
                        stages.row(s, scope, stage).iteration());
    }

    /** Keeps the count of ended tickets on the stage row while the strategy waits for more. */
    void counted(Step s, Scope scope, MultiAgentStage stage, List<TicketRow> all) throws SQLException {
        StageRow row = stages.row(s, scope, stage);
        int ended = (int) all.stream().filter(x -> x.status().terminal()).count();
        stages.putStage(s, row.items(row.itemsTotal(), row.itemsNext(), ended));
    }

    /** The strategy decided: the tickets still out are cancelled, and the stage ends as decided. */
    void decide(Step s, Scope scope, MultiAgentStage stage, List<TicketRow> all) throws SQLException {
        counted(s, scope, stage, all);
        Aggregation.Outcome outcome = Aggregation.decide(stage, all);
        for (TicketRow other : all) {
            if (other.status().active()) {
                tickets.cancel(
                        s, other, "stage decided early (" + stage.strategy().yaml() + ")");
            }
        }
        if (outcome.error() == null) {
            stages.succeeded(s, scope, stage, outcome.output(), outcome.detail());
        } else {
            stages.failed(s, scope, stage, outcome.error());
        }
    }

    /** Whether the strategy has decided on these tickets, and the stage still waits for it. */
    boolean decided(Step s, Scope scope, MultiAgentStage stage, List<TicketRow> all) {
        return !stages.row(s, scope, stage).status().terminal() && Aggregation.decide(stage, all) != null;
    }
}
