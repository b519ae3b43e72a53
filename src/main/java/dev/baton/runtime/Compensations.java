package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.pipeline.Compensation;
import dev.baton.pipeline.Stage;
import dev.baton.ticket.Rows.StageRow;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.TicketRow;
import dev.baton.ticket.TicketStatus;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The saga of a failed run: every stage that succeeded and declares {@code compensate} gets a compensation ticket,
 * one at a time, in reverse order of completion. The saga's log is the run's own rows — the stages' completion
 * numbers and the compensation tickets (item -1) — so it survives any crash and needs no coordinator in memory.
 */
final class Compensations {
    private final RunStore store;
    private final Tickets tickets;

    Compensations(RunStore store, Tickets tickets) {
        this.store = store;
        this.tickets = tickets;
    }

    /** Whether any completed stage has something to undo. */
    boolean needed(Step s) {
        return !toUndo(s).isEmpty();
    }

    /** Stages to compensate, latest completion first. */
    private List<Stage> toUndo(Step s) {
        return s.pipeline.stages().stream()
                .filter(st -> st.base().compensate() != null)
                .filter(st -> s.stages.get(st.name()).status() == TicketStatus.SUCCEEDED)
                .sorted(Comparator.comparing(
                                (Stage st) -> s.stages.get(st.name()).doneSeq())
                        .reversed())
                .toList();
    }

    /**
     * Calls the compiled {@code compensate} route of the next stage to undo; false when every compensation has
     * succeeded (the run then ends).
     */
    boolean next(Step s) throws SQLException {
        for (Stage stage : toUndo(s)) {
            Optional<TicketRow> existing =
                    store.ticketRows().ticket(s.c, s.run.id(), stage.name(), 0, TicketRow.COMPENSATION);
            if (existing.isPresent() && existing.get().status() == TicketStatus.SUCCEEDED) {
                continue;
            }
            if (existing.isEmpty() || existing.get().status() == TicketStatus.CANCELLED) {
                // a cancelled one was superseded by a rerun: it is revived, attempts go on
                s.later.add(new Step.Call(Stages.uri(s, stage.name(), "compensate"), null));
            }
            return true;
        }
        return false;
    }

    /** The stage's compensation ticket, dispatched by its compiled {@code compensate} route. */
    void dispatch(Step s, Stage stage) throws SQLException {
        Compensation comp = stage.base().compensate();
        StageRow row = s.stages.get(stage.name());
        JsonNode input = comp.input() == null ? row.output() : RunContext.read(s.context(), comp.input());
        TicketRow t = Tickets.row(
                s,
                stage.name(),
                0,
                TicketRow.COMPENSATION,
                "compensate " + stage.name(),
                comp.agent(),
                input,
                TicketStatus.PENDING);
        tickets.start(s, t, TicketPolicy.of(stage.base(), comp), "compensating stage '" + stage.name() + "'");
    }

    /** A compensation failed for good: the run ends FAILED with both reasons. */
    static String failure(Step s, TicketRow t, String error) {
        return "compensation of stage '" + t.stage() + "' failed " + Tickets.afterAttempts(t) + ": " + error
                + " (the run had failed: " + s.error + ")";
    }
}
