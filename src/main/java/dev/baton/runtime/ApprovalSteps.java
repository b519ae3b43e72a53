package dev.baton.runtime;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.compile.Endpoints;
import dev.baton.compile.Scope;
import dev.baton.pipeline.ApprovalStage;
import dev.baton.pipeline.Durations;
import dev.baton.pipeline.Json;
import dev.baton.ticket.Rows.HistoryRow;
import dev.baton.ticket.Rows.Outgoing;
import dev.baton.ticket.Rows.StageRow;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.TicketRow;
import dev.baton.ticket.TicketStatus;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Runs an {@code approval} stage: one ticket that waits (WAITING_APPROVAL) for people's decisions, each a history
 * entry (APPROVED or REJECTED, the approver as actor). The first rejection fails the stage; enough approvals
 * succeed it; its timeout is a scheduled broker message. Whichever is applied first under the run's lock decides,
 * and everything after that is refused and recorded.
 */
final class ApprovalSteps {
    static final String APPROVED = "APPROVED";
    static final String REJECTED = "REJECTED";
    static final String TIMEOUT_MESSAGE = "approval-timeout";

    /** A person's decision on the stage's ticket, as its {@code decide} route is given it. */
    record Decision(TicketRow ticket, String approver, boolean approve, String comment) {}

    /** The timeout of ask {@code attempt} of the stage's ticket, as its {@code timeout} route is given it. */
    record Timeout(TicketRow ticket, int attempt) {}

    private final Stages stages;
    private final RunStore store;
    private final Tickets tickets;

    ApprovalSteps(Stages stages, RunStore store, Tickets tickets) {
        this.stages = stages;
        this.store = store;
        this.tickets = tickets;
    }

    /** Asks: the ticket waits for people, and the timeout is scheduled. */
    void ask(Step s, Scope scope, ApprovalStage stage) throws SQLException {
        StageRow row = stages.row(s, scope, stage);
        TicketRow t = Tickets.row(
                s,
                scope.qualified(stage),
                row.iteration(),
                0,
                stage.name(),
                null,
                stages.input(s, scope, stage),
                TicketStatus.WAITING_APPROVAL);
        // Each time the stage asks (a rerun asks again) is an attempt: its decisions and its timeout belong to it.
        TicketRow stored = tickets.store(s, t);
        t = stored.attempt(stored.attempt() + 1, null, s.now, null).with(TicketStatus.WAITING_APPROVAL, s.now);
        store.ticketRows().updateTicket(s.c, t);
        String who = stage.approvers().isEmpty() ? "anyone" : String.join(", ", stage.approvers());
        tickets.history(
                s,
                t,
                TicketStatus.WAITING_APPROVAL.name(),
                "needs " + stage.needed() + " approval"
                        + (stage.needed() == 1 ? "" : "s") + " from " + who
                        + (stage.timeout() == null ? "" : "; times out in " + Durations.format(stage.timeout())));
        stages.putStage(s, row.running(TicketStatus.WAITING_APPROVAL, 1, s.now));
        if (stage.timeout() != null) {
            ObjectNode msg = Json.object()
                    .put("type", TIMEOUT_MESSAGE)
                    .put("ticketId", t.id())
                    .put("attempt", t.attempt());
            tickets.emit(
                    s,
                    new Outgoing(
                            UUID.randomUUID().toString(),
                            Endpoints.queue(Endpoints.COORDINATOR),
                            Json.write(msg),
                            t.id(),
                            null,
                            4,
                            s.now.plus(stage.timeout()).toEpochMilli(),
                            0));
        }
    }

    /** A person's decision; applied only while the ticket waits, and counted once per approver. */
    ApprovalOutcome decide(
            Step s, Scope scope, ApprovalStage stage, TicketRow t, String approver, boolean approve, String comment)
            throws SQLException {
        List<HistoryRow> before = decisions(s, t);
        for (HistoryRow h : before) {
            if (h.actor().equals(approver) && h.status().equals(approve ? APPROVED : REJECTED)) {
                // the same decision again (a client retrying): nothing changes, whatever happened since
                return new ApprovalOutcome(
                        ApprovalOutcome.Verdict.REPEATED,
                        null,
                        t.status(),
                        view(before),
                        t.status().terminal() ? outcome(s, t) : null);
            }
        }
        if (t.status() != TicketStatus.WAITING_APPROVAL) {
            String why = "stage '" + stage.name() + "' was already decided: " + outcome(s, t);
            refuse(s, t, approver, approve, why);
            return new ApprovalOutcome(ApprovalOutcome.Verdict.LATE, why, t.status(), view(before), outcome(s, t));
        }
        if (!stage.mayDecide(approver)) {
            String why = "'" + approver + "' is not an approver of stage '" + stage.name() + "' (approvers: "
                    + String.join(", ", stage.approvers()) + ")";
            refuse(s, t, approver, approve, why);
            return new ApprovalOutcome(ApprovalOutcome.Verdict.NOT_AN_APPROVER, why, t.status(), view(before), null);
        }
        for (HistoryRow h : before) {
            if (h.actor().equals(approver)) {
                String why = "'" + approver + "' already decided: " + h.status().toLowerCase(java.util.Locale.ROOT);
                refuse(s, t, approver, approve, why);
                return new ApprovalOutcome(ApprovalOutcome.Verdict.CHANGED_MIND, why, t.status(), view(before), null);
            }
        }
        HistoryRow mine = new HistoryRow(
                s.nextHistorySeq(),
                t.runId(),
                t.id(),
                t.stage(),
                t.attempt(),
                approve ? APPROVED : REJECTED,
                null,
                approver,
                comment,
                s.now);
        tickets.append(s, mine);
        List<HistoryRow> all = new ArrayList<>(before);
        all.add(mine);
        long approvals = all.stream().filter(h -> h.status().equals(APPROVED)).count();
        if (!approve) {
            reject(s, scope, stage, t, all, "rejected by " + approver + (comment == null ? "" : ": " + comment));
        } else if (approvals >= stage.needed()) {
            approve(
                    s,
                    scope,
                    stage,
                    t,
                    all,
                    "approved by "
                            + String.join(
                                    ", ",
                                    all.stream()
                                            .filter(h -> h.status().equals(APPROVED))
                                            .map(HistoryRow::actor)
                                            .toList()));
        }
        TicketRow now = store.ticketRows().ticket(s.c, t.id()).orElseThrow();
        return new ApprovalOutcome(
                ApprovalOutcome.Verdict.COUNTED,
                null,
                now.status(),
                view(all),
                now.status().terminal() ? outcome(s, now) : null);
    }

    /** The timeout of ask {@code attempt} came due: it decides only if nobody has, and only that ask. */
    void timedOut(Step s, Scope scope, ApprovalStage stage, TicketRow t, int attempt) throws SQLException {
        if (attempt != t.attempt()) {
            tickets.history(
                    s,
                    t,
                    TicketStatus.REFUSED.name(),
                    "timeout of an earlier ask (attempt " + attempt + ") ignored: the stage asked again");
            return;
        }
        if (t.status() != TicketStatus.WAITING_APPROVAL) {
            tickets.history(s, t, TicketStatus.REFUSED.name(), "timeout after the stage was decided: ignored");
            return;
        }
        List<HistoryRow> all = decisions(s, t);
        String detail = "no decision within " + Durations.format(stage.timeout()) + "; onTimeout: "
                + (stage.approveOnTimeout() ? "approve" : "reject");
        tickets.history(s, t, "TIMED_OUT", detail);
        if (stage.approveOnTimeout()) {
            approve(s, scope, stage, t, all, "approved by timeout (" + detail + ")");
        } else {
            reject(s, scope, stage, t, all, "rejected by timeout (" + detail + ")");
        }
    }

    private void approve(Step s, Scope scope, ApprovalStage stage, TicketRow t, List<HistoryRow> all, String how)
            throws SQLException {
        ObjectNode output = Json.object().put("decision", "approved").put("how", how);
        output.set("decisions", view(all));
        tickets.succeed(s, t, output, how);
        stages.succeeded(s, scope, stage, output, how);
    }

    private void reject(Step s, Scope scope, ApprovalStage stage, TicketRow t, List<HistoryRow> all, String how)
            throws SQLException {
        TicketRow failed = t.ended(TicketStatus.FAILED, null, how, s.now);
        store.ticketRows().updateTicket(s.c, failed);
        tickets.history(s, failed, TicketStatus.FAILED.name(), how);
        stages.failed(s, scope, stage, how);
    }

    private void refuse(Step s, TicketRow t, String approver, boolean approve, String why) throws SQLException {
        tickets.append(
                s,
                new HistoryRow(
                        s.nextHistorySeq(),
                        t.runId(),
                        t.id(),
                        t.stage(),
                        t.attempt(),
                        TicketStatus.REFUSED.name(),
                        null,
                        approver,
                        (approve ? "approve" : "reject") + " refused: " + why,
                        s.now));
    }

    /** How the stage was decided, as the ticket says. */
    private static String outcome(Step s, TicketRow t) {
        if (t.status() == TicketStatus.CANCELLED) {
            return "cancelled (" + (s.run.error() == null ? "the run ended" : s.run.error()) + ")";
        }
        if (t.status() == TicketStatus.SUCCEEDED) {
            return t.output().path("how").asText("approved");
        }
        return t.error() != null ? t.error() : t.status().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The decisions on the current ask (a rerun asks again, as the next attempt). */
    private List<HistoryRow> decisions(Step s, TicketRow t) throws SQLException {
        s.flushHistory(); // a decision recorded by this step counts
        return store.historyRows().history(s.c, t.runId(), t.id(), t.attempt()).stream()
                .filter(h -> h.status().equals(APPROVED) || h.status().equals(REJECTED))
                .toList();
    }

    private static ArrayNode view(List<HistoryRow> decisions) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (HistoryRow h : decisions) {
            ObjectNode d = out.addObject()
                    .put("approver", h.actor())
                    .put("decision", h.status().equals(APPROVED) ? "approve" : "reject")
                    .put("at", h.at().toString());
            d.put("comment", h.detail());
        }
        return out;
    }
}
