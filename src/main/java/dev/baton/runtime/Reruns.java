package dev.baton.runtime;

import dev.baton.compile.Scope;
import dev.baton.pipeline.LoopStage;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.Stage;
import dev.baton.pipeline.validate.Dag;
import dev.baton.ticket.RunStatus;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.TicketRow;
import dev.baton.ticket.TicketStatus;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reruns an ended run on its pinned revision: the chosen stage, everything downstream of it, every stage that did
 * not succeed and every stage that was compensated (undone) run again; the outputs of the others are kept. Ticket
 * rows are revived, not replaced, so attempts are numbered on and the earlier ones stay in the history.
 */
final class Reruns {
    static final Set<RunStatus> RERUNNABLE = EnumSet.of(RunStatus.FAILED, RunStatus.CANCELLED, RunStatus.COMPENSATED);

    private final Stages stages;
    private final RunStore store;
    private final Tickets tickets;

    Reruns(Stages stages, RunStore store, Tickets tickets) {
        this.stages = stages;
        this.store = store;
        this.tickets = tickets;
    }

    /** Resets what must run again and starts what is ready; returns the stages that run again, in file order. */
    List<String> rerun(Step s, String from) throws SQLException {
        if (!RERUNNABLE.contains(s.status)) {
            throw new RefusedException(
                    409,
                    "run " + s.run.id() + " is " + s.status
                            + "; only a FAILED, CANCELLED or COMPENSATED run can be rerun");
        }
        Pipeline p = s.pipeline;
        if (from != null && p.stage(from).isEmpty()) {
            throw new RefusedException(
                    404,
                    "pipeline '" + p.name() + "' has no stage '" + from + "'"
                            + (from.contains("/") ? "; rerun from the loop stage instead" : ""));
        }
        Set<String> again = new LinkedHashSet<>();
        if (from != null) {
            downstream(p, from, again);
        }
        for (Stage st : p.stages()) {
            TicketStatus status = s.stages.get(st.name()).status();
            if (status != TicketStatus.SUCCEEDED && status != TicketStatus.SKIPPED) {
                again.add(st.name());
            }
        }
        for (TicketRow t : store.ticketRows().compensationTickets(s.c, s.run.id())) {
            // A compensation of the latest try (a CANCELLED one was superseded by an earlier rerun, and its stage
            // has run again since): the stage was undone, or maybe half undone, so it must be done again.
            if (t.status() != TicketStatus.CANCELLED) {
                again.add(t.stage());
                TicketRow superseded = t.with(TicketStatus.CANCELLED, s.now);
                store.ticketRows().updateTicket(s.c, superseded);
                tickets.history(s, superseded, TicketStatus.CANCELLED.name(), "superseded by a rerun");
            }
        }
        List<String> ordered =
                p.stages().stream().map(Stage::name).filter(again::contains).toList();
        Scope top = Scope.top(p);
        for (String name : ordered) {
            Stage stage = p.stage(name).orElseThrow();
            stages.putStage(s, s.stages.get(name).reset(0));
            if (stage instanceof LoopStage loop) {
                Scope inner = top.inner(loop);
                for (Stage st : loop.stages()) {
                    stages.putStage(s, stages.row(s, inner, st).reset(0));
                }
            }
        }
        s.status = RunStatus.RUNNING;
        s.error = null;
        s.rerun = true;
        store.countRerun(s.c, s.run.id());
        tickets.note(
                s,
                null,
                "RUN_RERUN",
                (from == null ? "" : "from stage '" + from + "'; ") + "running again: " + String.join(", ", ordered));
        stages.release(s, top);
        return ordered;
    }

    private static void downstream(Pipeline p, String from, Set<String> into) {
        var dependents = Dag.dependents(p);
        Deque<String> todo = new ArrayDeque<>(List.of(from));
        while (!todo.isEmpty()) {
            String name = todo.poll();
            if (into.add(name)) {
                todo.addAll(dependents.get(name));
            }
        }
    }
}
