package dev.baton.compile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.baton.pipeline.AgentCatalog;
import dev.baton.pipeline.MultiAgentStage;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.Stage;
import dev.baton.pipeline.load.PipelineLoader;
import dev.baton.ticket.Tx;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.AggregationRepository;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.ExpressionAdapter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A compiled aggregator completes inside the transaction of the event that completed it, on its thread: Camel's
 * AggregateReifier would otherwise hand the completed aggregate to a thread of its own. The multi-agent stage's
 * route is compiled as Baton compiles it, on a real H2 database; the steps record which connection and thread they
 * ran on, and an event that rolls back takes its completion with it.
 */
class InlineCompletionTest {
    HikariDataSource db;
    Tx tx;
    DefaultCamelContext camel;
    Pipeline p;
    final List<String> decidedOn = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:mem:inline" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        config.setAutoCommit(false);
        db = new HikariDataSource(config);
        tx = new Tx(db);
        tx.run(c -> c.createStatement().execute("CREATE TABLE ended (what VARCHAR(20))"));
        p = PipelineLoader.read("""
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: inline}
                spec:
                  pipeline:
                    stages:
                      - {name: review, agents: [a, b], aggregateStrategy: all}
                """, "inline.yaml", AgentCatalog.any()).pipeline();
        camel = new DefaultCamelContext();
        camel.addRoutes(new PipelineCompiler((n, b, k) -> null, new Recording()).revision(p));
        camel.start();
    }

    @AfterEach
    void stop() throws Exception {
        camel.close();
        db.close();
    }

    /** One ticket of the stage ended, applied as Baton applies an event: inside a transaction. */
    void ticketEnded(Connection c) {
        Exchange ex = camel.createProducerTemplate()
                .send(Endpoints.direct(Endpoints.stageRoute(p.name(), p.revision(), "review", "ended")), e -> {});
        if (ex.getException() != null) {
            throw new IllegalStateException(ex.getException());
        }
    }

    List<String> rows() {
        return tx.run(c -> {
            List<String> out = new ArrayList<>();
            try (var rs = c.createStatement().executeQuery("SELECT what FROM ended ORDER BY what")) {
                while (rs.next()) out.add(rs.getString(1));
            }
            return out;
        });
    }

    @Test
    void theAggregateCompletesInTheTransactionOfTheEventThatCompletesIt() {
        tx.run(c -> {
            ticketEnded(c);
            return null;
        });
        assertThat(rows()).containsExactly("ticket");

        // the second ticket completes the aggregate; the event then rolls back, and its completion with it
        assertThatThrownBy(() -> tx.run(c -> {
                    ticketEnded(c);
                    assertThat(decidedOn).hasSize(1);
                    throw new IllegalStateException("the event fails after the aggregate completed");
                }))
                .hasMessageContaining("the event fails");
        assertThat(rows())
                .as("nothing of the rolled-back event is left, its completion included")
                .containsExactly("ticket");

        String caller = Thread.currentThread().getName();
        tx.run(c -> {
            ticketEnded(c);
            return null;
        });
        assertThat(rows()).containsExactly("decided", "ticket", "ticket");
        assertThat(decidedOn).last().isEqualTo(caller);
    }

    /** The stage's steps over the table {@code ended}, written with the connection of the current transaction. */
    final class Recording implements StageProcessors {
        @Override
        public Processor action(Scope scope, Stage stage, Action action) {
            return switch (action) {
                case TICKET_ENDED -> ex -> insert("ticket");
                case DECIDE ->
                    ex -> {
                        insert("decided");
                        decidedOn.add(Thread.currentThread().getName());
                    };
                default ->
                    ex -> {
                        throw new IllegalStateException(action + " is not part of this test");
                    };
            };
        }

        private void insert(String what) throws SQLException {
            try (var st = Tx.current().prepareStatement("INSERT INTO ended VALUES (?)")) {
                st.setString(1, what);
                st.executeUpdate();
            }
        }

        @Override
        public Processor dispatchTo(Scope scope, MultiAgentStage stage, int agent) {
            return ex -> {};
        }

        @Override
        public Predicate check(Scope scope, Stage stage, Check check) {
            // decided once both tickets have ended, as the table (this transaction's view of it) says
            return ex -> check == Check.DECIDED && ex.getMessage().getBody(Integer.class) >= 2;
        }

        @Override
        public AggregationRepository state(Scope scope, Stage stage, State state) {
            return new AggregationRepository() {
                public Exchange get(CamelContext camel, String key) {
                    try (var rs = Tx.current()
                            .createStatement()
                            .executeQuery("SELECT COUNT(*) FROM ended WHERE what = 'ticket'")) {
                        rs.next();
                        Exchange ex = new DefaultExchange(camel);
                        ex.getMessage().setBody(rs.getInt(1));
                        return ex;
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }

                public Exchange add(CamelContext camel, String key, Exchange ex) {
                    return null;
                }

                public void remove(CamelContext camel, String key, Exchange ex) {}

                public void confirm(CamelContext camel, String exchangeId) {}

                public Set<String> getKeys() {
                    return Set.of();
                }
            };
        }

        @Override
        public AggregationStrategy strategy(State state) {
            return (old, latest) -> old != null ? old : latest;
        }

        @Override
        public Expression correlation(Scope scope, Stage stage) {
            return new ExpressionAdapter() {
                @Override
                public Object evaluate(Exchange ex) {
                    return "review";
                }
            };
        }

        @Override
        public ExecutorService inline() {
            return dev.baton.runtime.CompiledStages.inlineExecutor(); // the one Baton's routes complete on
        }
    }
}
