package dev.baton.runtime;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link BudgetCases} on PostgreSQL: the running totals, their sums per pipeline and the budget check in its SQL. */
class BudgetOnPostgresqlTest extends BudgetCases {
    private static final List<String> PROPS = List.of("baton.db.url", "baton.db.user", "baton.db.password");
    static EmbeddedPostgres pg;

    @BeforeAll
    static void startOnPostgresql() throws Exception {
        pg = EmbeddedPostgres.builder().start();
        System.setProperty("baton.db.url", pg.getJdbcUrl("postgres", "postgres"));
        System.setProperty("baton.db.user", "postgres");
        System.setProperty("baton.db.password", "");
        launch();
    }

    @org.junit.jupiter.api.Test
    void theseCasesRanOnPostgresql() throws Exception {
        org.assertj.core.api.Assertions.assertThat(
                        baton.query("SELECT version() AS v").get(0).get("v").toString())
                .startsWith("PostgreSQL");
    }

    @AfterAll
    static void stopOnPostgresql() throws Exception {
        try {
            stop();
        } finally {
            PROPS.forEach(System::clearProperty);
            if (pg != null) pg.close();
        }
    }
}
