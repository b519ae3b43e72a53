package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/** The bench's statement counter, on a real H2 database: kinds, batches, update counts, failures, commits. */
class SqlCountTest {
    @Test
    void countsEachStatementByKindWithTheRowsItReportedAndTheCommits() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:sqlcount;DB_CLOSE_DELAY=-1");
        SqlCount count = new SqlCount();
        DataSource db = count.around().apply(h2);
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10))");
            }
            c.commit();
            SqlCount.Totals before = count.totals();
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO t VALUES (?, 'a')")) {
                for (int i = 1; i <= 3; i++) {
                    insert.setInt(1, i);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            try (Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE t SET v = 'b' WHERE id <= 2");
                assertThat(st.execute("DELETE FROM t WHERE id = 3")).isFalse();
                st.executeQuery("SELECT * FROM t").close();
                assertThatThrownBy(() -> st.executeUpdate("INSERT INTO t VALUES (1, 'dup')"))
                        .isInstanceOf(SQLException.class);
            }
            c.commit();
            c.rollback();

            SqlCount.Totals window = count.totals().minus(before);
            assertThat(window.statements()).isEqualTo(new SqlCount.Kinds(1, 4, 1, 1, 0));
            assertThat(window.rows()).isEqualTo(new SqlCount.Kinds(0, 3, 2, 1, 0));
            assertThat(window.executions()).isEqualTo(5);
            assertThat(window.commits()).isEqualTo(1);
            assertThat(window.rollbacks()).isEqualTo(1);
        }
    }
}
