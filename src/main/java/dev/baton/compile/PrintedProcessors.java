package dev.baton.compile;

import dev.baton.pipeline.MultiAgentStage;
import dev.baton.pipeline.Stage;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.spi.AggregationRepository;
import org.apache.camel.support.ExpressionAdapter;
import org.apache.camel.util.concurrent.SynchronousExecutorService;

/**
 * The processors {@code baton export} compiles a pipeline with: the routes are the ones Baton runs, step for step,
 * but printed, never started; a step that is called anyway fails, saying so.
 */
public final class PrintedProcessors implements StageProcessors {
    private static final String WHY = "an exported route runs only inside Baton, in an event's transaction";

    private static IllegalStateException notHere() {
        return new IllegalStateException(WHY);
    }

    @Override
    public Processor action(Scope scope, Stage stage, Action action) {
        return ex -> {
            throw notHere();
        };
    }

    @Override
    public Processor dispatchTo(Scope scope, MultiAgentStage stage, int agent) {
        return ex -> {
            throw notHere();
        };
    }

    @Override
    public Predicate check(Scope scope, Stage stage, Check check) {
        return ex -> {
            throw notHere();
        };
    }

    @Override
    public AggregationRepository state(Scope scope, Stage stage, State state) {
        return new AggregationRepository() {
            public Exchange add(CamelContext c, String key, Exchange ex) {
                throw notHere();
            }

            public Exchange get(CamelContext c, String key) {
                throw notHere();
            }

            public void remove(CamelContext c, String key, Exchange ex) {
                throw notHere();
            }

            public void confirm(CamelContext c, String exchangeId) {
                throw notHere();
            }

            public Set<String> getKeys() {
                return Set.of();
            }
        };
    }

    @Override
    public AggregationStrategy strategy(State state) {
        return (old, latest) -> {
            throw notHere();
        };
    }

    @Override
    public Expression correlation(Scope scope, Stage stage) {
        return new ExpressionAdapter() {
            @Override
            public Object evaluate(Exchange ex) {
                throw notHere();
            }
        };
    }

    @Override
    public ExecutorService inline() {
        return new SynchronousExecutorService();
    }
}
