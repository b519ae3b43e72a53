package dev.baton.runtime;

import dev.baton.compile.Scope;
import dev.baton.compile.StageProcessors.State;
import dev.baton.pipeline.MultiAgentStage;
import dev.baton.pipeline.Stage;
import dev.baton.ticket.Rows.StageRow;
import dev.baton.ticket.StoreException;
import dev.baton.ticket.TicketRow;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.spi.AggregationRepository;
import org.apache.camel.support.DefaultExchange;

/**
 * An aggregator's state in Baton's tables, read and written with the connection of the event being applied: the
 * rows of a stage's dependencies or of a scope, a multi-agent stage's tickets, a for_each stage's counters. Nothing
 * is kept in memory between two events, so a process that dies loses no aggregate; once an aggregate completes
 * its rows stay, as the run's record.
 */
final class RowState implements AggregationRepository {
    private final State state;
    private final Scope scope;
    private final Stage stage;
    private final Stages stages;
    private final MultiAgentSteps multi;
    private final ForEachSteps forEach;

    RowState(State state, Scope scope, Stage stage, Stages stages, MultiAgentSteps multi, ForEachSteps forEach) {
        this.state = state;
        this.scope = scope;
        this.stage = stage;
        this.stages = stages;
        this.multi = multi;
        this.forEach = forEach;
    }

    /** The strategies: the state read from the rows is the aggregate; a for_each counts one more ended item. */
    static AggregationStrategy strategy(State state) {
        if (state == State.ITEMS) {
            return (old, latest) -> {
                StageRow r = old.getMessage().getBody(StageRow.class);
                old.getMessage().setBody(r.items(r.itemsTotal(), r.itemsNext(), r.itemsDone() + 1));
                return old;
            };
        }
        return (old, latest) -> old != null ? old : latest;
    }

    @Override
    public Exchange get(CamelContext camel, String key) {
        Step s = Step.current();
        Exchange ex = new DefaultExchange(camel);
        try {
            ex.getMessage()
                    .setBody(
                            switch (state) {
                                case DEPENDENCIES ->
                                    stage.dependsOn().stream()
                                            .map(d -> s.stages.get(scope.qualified(d)))
                                            .toList();
                                case TICKETS -> multi.tickets(s, scope, (MultiAgentStage) stage);
                                case ITEMS -> stages.row(s, scope, stage);
                                case SCOPE ->
                                    scope.stages().stream()
                                            .map(st -> stages.row(s, scope, st))
                                            .toList();
                            });
        } catch (SQLException e) {
            throw s.failed(new StoreException(e));
        }
        return ex;
    }

    @Override
    public Exchange add(CamelContext camel, String key, Exchange aggregate) {
        Step s = Step.current();
        try {
            switch (state) {
                case TICKETS -> multi.counted(s, scope, (MultiAgentStage) stage, tickets(aggregate));
                case ITEMS -> forEach.counted(s, aggregate.getMessage().getBody(StageRow.class));
                // the rows of dependencies and scopes are written by the stages that ended: nothing to add
                case DEPENDENCIES, SCOPE -> {}
            }
        } catch (SQLException e) {
            throw s.failed(new StoreException(e));
        }
        return null;
    }

    /** A multi-agent aggregate's body: the stage iteration's tickets, as {@link #get} read them. */
    @SuppressWarnings("unchecked")
    static List<TicketRow> tickets(Exchange ex) {
        return ex.getMessage().getBody(List.class);
    }

    @Override
    public void remove(CamelContext camel, String key, Exchange aggregate) {
        // The completed aggregate's rows are the run's record: they stay.
    }

    @Override
    public void confirm(CamelContext camel, String exchangeId) {
        // Completion runs inline in the event's transaction: there is nothing to confirm separately.
    }

    @Override
    public Set<String> getKeys() {
        return Set.of(); // no aggregate waits between events: none to recover at start
    }

    @Override
    public String toString() {
        return "rows of " + state.name().toLowerCase(java.util.Locale.ROOT);
    }
}
