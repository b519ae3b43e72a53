package dev.baton.runtime;

import dev.baton.ticket.Tx;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.spi.Policy;

/**
 * Runs the steps it wraps in one database transaction, committed when they return and rolled back when one fails,
 * as Camel's transacted policies do for Spring: the route reads {@code policy(...)} where the transaction begins. Called
 * inside a transaction (a batch of replies), the steps join it, as Spring's {@code PROPAGATION_REQUIRED} does.
 */
final class TransactionPolicy implements Policy {
    private final Tx tx;

    TransactionPolicy(Tx tx) {
        this.tx = tx;
    }

    @Override
    public void beforeWrap(Route route, NamedNode definition) {
        // nothing to prepare
    }

    @Override
    public Processor wrap(Route route, Processor processor) {
        return ex -> tx.join(c -> {
            try {
                processor.process(ex);
            } catch (RuntimeException | java.sql.SQLException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            if (ex.getException() instanceof RuntimeException e) {
                ex.setException(null);
                throw e; // rolls back; the consumer's JMS transaction rolls back with it
            }
            if (ex.getException() != null) {
                Exception e = ex.getException();
                ex.setException(null);
                throw new IllegalStateException(e);
            }
            return null;
        });
    }
}
