package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.ticket.TicketStatus;

/**
 * What one decision on an approval stage did.
 *
 * @param refusal why it was not counted, or null
 * @param status the approval ticket's state afterwards: WAITING_APPROVAL, SUCCEEDED, FAILED or CANCELLED
 * @param decisions every decision counted so far: [{approver, decision, comment, at}]
 * @param outcome how the stage was decided, once it is
 */
public record ApprovalOutcome(
        Verdict verdict, String refusal, TicketStatus status, JsonNode decisions, String outcome) {

    public enum Verdict {
        /** Recorded; it may have decided the stage. */
        COUNTED,
        /** The approver had already made the same decision: nothing changes. */
        REPEATED,
        /** The approver had already made the other decision: refused. */
        CHANGED_MIND,
        /** Not one of the stage's approvers: refused. */
        NOT_AN_APPROVER,
        /** The stage had already been decided (by people, a timeout, or the run ending): refused. */
        LATE
    }
}
