package dev.baton.ticket;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Binds arguments and maps rows, so that store classes read as SQL and nothing else. */
final class Sql {
    /**
     * Timestamps are written and read as UTC. The columns are TIMESTAMP without zone; converting through the JVM's
     * default zone would shift every time by the zone difference between two instances (or one restarted in
     * another zone) on PostgreSQL.
     */
    private static final java.util.Calendar UTC = java.util.Calendar.getInstance(java.util.TimeZone.getTimeZone("UTC"));
    /** Maps the current row of a result set. */
    @FunctionalInterface
    interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private Sql() {}

    /** {@code INSERT INTO table (cols) VALUES (?, …)} with one placeholder per column of the comma-separated list. */
    static String insert(String table, String cols) {
        return "INSERT INTO " + table + " (" + cols + ") VALUES (" + marks(cols.split(",").length) + ")";
    }

    /** {@code n} placeholders, comma-separated: a VALUES list or an {@code IN (…)} of {@code n} arguments. */
    static String marks(int n) {
        return String.join(",", java.util.Collections.nCopies(n, "?"));
    }

    static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        }
    }

    /** Runs one statement for many rows, in batches of 500. */
    static void batch(Connection c, String sql, List<Object[]> rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int n = 0;
            for (Object[] row : rows) {
                bind(ps, row);
                ps.addBatch();
                if (++n % 500 == 0) {
                    ps.executeBatch();
                }
            }
            ps.executeBatch();
        }
    }

    static <T> List<T> list(Connection c, String sql, RowMapper<T> mapper, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(mapper.map(rs));
                }
                return out;
            }
        }
    }

    static <T> Optional<T> one(Connection c, String sql, RowMapper<T> mapper, Object... args) throws SQLException {
        List<T> rows = list(c, sql, mapper, args);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    static Instant instant(ResultSet rs, int col) throws SQLException {
        Timestamp t = rs.getTimestamp(col, (java.util.Calendar) UTC.clone());
        return t == null ? null : t.toInstant();
    }

    private static void bind(PreparedStatement ps, Object[] args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a == null) {
                ps.setNull(i + 1, Types.NULL);
            } else if (a instanceof Instant t) {
                ps.setTimestamp(i + 1, Timestamp.from(t), (java.util.Calendar) UTC.clone());
            } else {
                ps.setObject(i + 1, a);
            }
        }
    }
}
