package dev.baton.pipeline;

import java.time.Duration;
import java.util.List;

/**
 * A stage that waits for people: it succeeds when enough approvals arrive, fails at the first rejection, and after
 * {@code timeout} is decided by {@code onTimeout}.
 *
 * @param approvers who may decide; empty means anyone
 * @param quorum approvals needed for {@link Policy#QUORUM}
 * @param timeout how long to wait, or null for ever
 * @param approveOnTimeout whether a timeout approves (otherwise it rejects)
 */
public record ApprovalStage(
        StageBase base, List<String> approvers, Policy policy, int quorum, Duration timeout, boolean approveOnTimeout)
        implements Stage {

    /** How many approvals decide the stage. */
    public enum Policy {
        /** The first approval. */
        ANY,
        /** Every listed approver. */
        ALL,
        /** {@code quorum} approvals. */
        QUORUM;

        public String yaml() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The number of approvals that approve the stage. */
    public int needed() {
        return switch (policy) {
            case ANY -> 1;
            case ALL -> approvers.size();
            case QUORUM -> quorum;
        };
    }

    /** Whether {@code who} may decide this stage. */
    public boolean mayDecide(String who) {
        return approvers.isEmpty() || approvers.contains(who);
    }

    @Override
    public <R> R accept(StageVisitor<R> visitor) {
        return visitor.approval(this);
    }
}
