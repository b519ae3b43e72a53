package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.compile.Scope;
import dev.baton.pipeline.Stage;
import dev.baton.ticket.RunStatus;
import dev.baton.ticket.TicketRow;
import java.sql.SQLException;

/**
 * What an attempt's news does to its ticket and stage (started, succeeded, failed), and whether an event may still
 * apply to the attempt at all.
 */
final class Attempts {
    private final Tickets tickets;
    private final Stages stages;

    Attempts(Stages stages) {
        this.tickets = stages.tickets();
        this.stages = stages;
    }

    TicketRow started(Step s, TicketRow t, String detail, boolean write) throws SQLException {
        TicketRow r = tickets.running(s, t, detail, write);
        stages.running(s, r);
        return r;
    }

    /** A work ticket succeeded: its stage's compiled {@code ended} route decides what that means. */
    void succeeded(Step s, TicketRow t, JsonNode output) throws SQLException {
        if (t.compensation()) {
            tickets.succeed(s, t, output, null);
            stages.compensateNext(s);
        } else {
            s.later.add(new Step.Call(Stages.uri(s, t.stage(), "ended"), new TicketEnd(t, output, null)));
        }
    }

    /** Applies a failed attempt; true when another attempt was dispatched. */
    boolean failed(Step s, TicketRow t, String error, boolean retryable) throws SQLException {
        if (tickets.retry(s, t, policy(s, t), error, retryable)) {
            stages.retrying(s, t);
            return true;
        } else if (t.compensation()) {
            TicketRow failed = tickets.fail(s, t, error);
            stages.finish(s, RunStatus.FAILED, Compensations.failure(s, failed, error));
        } else {
            s.later.add(new Step.Call(Stages.uri(s, t.stage(), "ended"), new TicketEnd(t, null, error)));
        }
        return false;
    }

    static TicketPolicy policy(Step s, TicketRow t) {
        Stage stage = Scope.find(s.pipeline, t.stage()).stage();
        return t.compensation()
                ? TicketPolicy.of(stage.base(), stage.base().compensate())
                : TicketPolicy.of(stage.base());
    }

    /** Why an event for {@code attempt} no longer applies to the ticket (null when it does). */
    static String refusal(Step s, TicketRow t, int attempt) {
        if (s.run.status().terminal()) {
            return "run is already " + s.run.status();
        }
        if (attempt != t.attempt()) {
            return "stale attempt " + attempt + "; the current attempt is " + t.attempt();
        }
        if (!t.status().active()) {
            return "ticket is already " + t.status();
        }
        return null;
    }
}
