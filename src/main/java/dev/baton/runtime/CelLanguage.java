package dev.baton.runtime;

import dev.baton.compile.Endpoints;
import dev.baton.compile.ExpressionFailedException;
import dev.baton.compile.Scope;
import dev.baton.ticket.StoreException;
import java.sql.SQLException;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.Predicate;
import org.apache.camel.spi.Language;
import org.apache.camel.support.ExpressionAdapter;

/**
 * CEL as a Camel language named {@code cel}: the compiled routes' {@code condition} and {@code until} choices are
 * {@code cel} expressions, evaluated (sandboxed) over the run whose event is being applied, in the scope the route
 * names ({@link Endpoints#PROPERTY_SCOPE}). An expression that cannot be evaluated throws
 * {@link ExpressionFailedException}, which the route turns into the stage's failure.
 */
public final class CelLanguage implements Language {
    private final Conditions conditions;

    public CelLanguage() {
        this(new Conditions());
    }

    CelLanguage(Conditions conditions) {
        this.conditions = conditions;
    }

    @Override
    public Predicate createPredicate(String source) {
        return new Predicate() {
            @Override
            public boolean matches(Exchange ex) {
                return test(ex, source);
            }

            @Override
            public String toString() {
                return "cel{" + source + "}";
            }
        };
    }

    @Override
    public Expression createExpression(String source) {
        return new ExpressionAdapter() {
            @Override
            public Object evaluate(Exchange ex) {
                return test(ex, source);
            }
        };
    }

    private boolean test(Exchange ex, String source) {
        Step s = Step.current();
        Scope scope = Scope.of(s.pipeline, ex.getProperty(Endpoints.PROPERTY_SCOPE, "", String.class));
        Conditions.Result r;
        try {
            r = conditions.test(s, scope, source);
        } catch (SQLException e) {
            throw new StoreException(e);
        }
        if (r.error() != null) {
            throw new ExpressionFailedException(r.error());
        }
        return r.value();
    }
}
