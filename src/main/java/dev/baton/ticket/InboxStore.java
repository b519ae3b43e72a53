package dev.baton.ticket;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

/** The inbox: the ids of inbound messages already applied, recorded in the transaction that applies each. */
public final class InboxStore {
    /**
     * Records an inbound message id; false when it was already applied. Runs in the transaction that applies the
     * message, so "applied" and "recorded" commit together.
     */
    public boolean firstDelivery(Connection c, String messageId, Instant now) throws SQLException {
        String key = inboxKey(messageId);
        // One statement, not a read and then an insert: the same answer, one round trip less per message.
        return Sql.update(
                        c,
                        "INSERT INTO inbox (message_id, received_at) SELECT ?, ? FROM (VALUES (0)) AS one (x) "
                                + "WHERE NOT EXISTS (SELECT 1 FROM inbox WHERE message_id = ?)",
                        key,
                        now,
                        key)
                == 1;
    }

    /**
     * The inbox key of a message id: the id itself, or its SHA-256 when it is longer than the column's 200
     * characters (an AMQP sender chooses its message ids; one too long for the column failed every delivery).
     */
    static String inboxKey(String messageId) {
        if (messageId.length() <= 200) {
            return messageId;
        }
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(messageId.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "sha256-id:" + java.util.HexFormat.of().formatHex(hash);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Whether an inbound message id was applied (and not yet pruned). */
    public boolean delivered(Connection c, String messageId) throws SQLException {
        return Sql.one(c, "SELECT 1 FROM inbox WHERE message_id = ?", rs -> 1, inboxKey(messageId))
                .isPresent();
    }

    /** Forgets an inbound message id recorded in this transaction: its message changed nothing worth guarding. */
    public void forgetDelivery(Connection c, String messageId) throws SQLException {
        Sql.update(c, "DELETE FROM inbox WHERE message_id = ?", inboxKey(messageId));
    }

    /** Forgets inbound message ids older than {@code before}: no broker redelivers a message that late. */
    public int pruneInbox(Connection c, Instant before) throws SQLException {
        return Sql.update(c, "DELETE FROM inbox WHERE received_at < ?", before);
    }
}
