package dev.baton.ticket;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/** Why an attempt of a ticket failed, as its history says: for the span of the attempt. */
public final class AttemptFailures {
    /** The detail of the attempt's newest FAILED row (the reason, and whether it is retried), if it has one. */
    public Optional<String> reason(Connection c, String ticketId, int attempt) throws SQLException {
        // ticket_history_ticket (ticket_id, status, seq) finds it without reading the run's history
        return Sql.list(
                        c,
                        "SELECT detail FROM ticket_history WHERE ticket_id = ? AND status = 'FAILED' AND attempt = ? "
                                + "ORDER BY seq DESC",
                        rs -> rs.getString(1),
                        ticketId,
                        attempt)
                .stream()
                .filter(java.util.Objects::nonNull)
                .findFirst();
    }
}
