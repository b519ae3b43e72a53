package dev.baton.ticket;

import java.sql.SQLException;

/** A database failure; transient by nature, so the message that caused it is redelivered. */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(SQLException cause) {
        super(cause.getMessage(), cause);
    }

    public boolean uniqueViolation() {
        String state = ((SQLException) getCause()).getSQLState();
        // 23505: unique violation in both H2 and PostgreSQL
        return "23505".equals(state);
    }
}
