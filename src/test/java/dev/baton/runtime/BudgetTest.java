package dev.baton.runtime;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link BudgetCases} on the embedded H2 database. */
class BudgetTest extends BudgetCases {
    @BeforeAll
    static void startOnH2() throws Exception {
        launch();
    }

    @AfterAll
    static void stopOnH2() throws Exception {
        stop();
    }
}
