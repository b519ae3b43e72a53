package dev.baton.bench;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import net.ttddyy.dsproxy.ExecutionInfo;
import net.ttddyy.dsproxy.QueryInfo;
import net.ttddyy.dsproxy.QueryType;
import net.ttddyy.dsproxy.listener.MethodExecutionContext;
import net.ttddyy.dsproxy.listener.MethodExecutionListener;
import net.ttddyy.dsproxy.listener.QueryExecutionListener;
import net.ttddyy.dsproxy.listener.QueryUtils;
import net.ttddyy.dsproxy.support.ProxyDataSourceBuilder;

/**
 * Counts what Baton's connection pool sends to the database, by the kind of statement, with the rows each write
 * reported and the commits: the pool's connections are made through a datasource-proxy around the driver, only when
 * benchmarking.
 */
final class SqlCount implements QueryExecutionListener, MethodExecutionListener {
    /** Cumulative counts; {@link #minus} gives those of a window. */
    record Totals(long executions, long commits, long rollbacks, Kinds statements, Kinds rows) {
        long statementCount() {
            return statements.sum();
        }

        Totals minus(Totals earlier) {
            return new Totals(
                    executions - earlier.executions,
                    commits - earlier.commits,
                    rollbacks - earlier.rollbacks,
                    statements.minus(earlier.statements),
                    rows.minus(earlier.rows));
        }
    }

    /** A count per kind of statement: SELECT, INSERT, UPDATE, DELETE and any other (DDL, MERGE, WITH ...). */
    record Kinds(long select, long insert, long update, long delete, long other) {
        long sum() {
            return select + insert + update + delete + other;
        }

        Kinds minus(Kinds e) {
            return new Kinds(
                    select - e.select, insert - e.insert, update - e.update, delete - e.delete, other - e.other);
        }
    }

    private final LongAdder executions = new LongAdder();
    private final LongAdder commits = new LongAdder();
    private final LongAdder rollbacks = new LongAdder();
    private final LongAdder[] statements = adders();
    private final LongAdder[] rows = adders();
    /** Baton prepares a few dozen distinct statements: classify each text once, not on every execution. */
    private final Map<String, QueryType> kinds = new ConcurrentHashMap<>();

    /** Wraps the driver's connections for Baton's pool ({@code BatonServer.start}'s {@code aroundDb}). */
    UnaryOperator<DataSource> around() {
        return driver -> ProxyDataSourceBuilder.create("baton-bench", driver)
                .listener(this)
                .methodListener(this)
                .build();
    }

    Totals totals() {
        return new Totals(executions.sum(), commits.sum(), rollbacks.sum(), kinds(statements), kinds(rows));
    }

    @Override
    public void beforeQuery(ExecutionInfo info, List<QueryInfo> queries) {}

    @Override
    public void afterQuery(ExecutionInfo info, List<QueryInfo> queries) {
        executions.increment();
        if (queries.isEmpty()) {
            return;
        }
        // A batch of one prepared statement is one QueryInfo run batchSize times; a Statement batch is one per text.
        // A statement that failed (a lock timeout, a duplicate key) was still sent: it counts, with no rows.
        int count = info.isBatch() ? info.getBatchSize() : 1;
        Object result = info.isSuccess() ? info.getResult() : null;
        for (int i = 0; i < count; i++) {
            QueryType kind = kind(queries.get(Math.min(i, queries.size() - 1)).getQuery());
            statements[kind.ordinal()].increment();
            long n = updateCount(result, i, info);
            if (n > 0) {
                rows[kind.ordinal()].add(n);
            }
        }
    }

    @Override
    public void beforeMethod(MethodExecutionContext context) {}

    @Override
    public void afterMethod(MethodExecutionContext context) {
        Method m = context.getMethod();
        if (context.getThrown() == null && context.getTarget() instanceof Connection && m.getParameterCount() == 0) {
            if (m.getName().equals("commit")) {
                commits.increment();
            } else if (m.getName().equals("rollback")) {
                rollbacks.increment();
            }
        }
    }

    private QueryType kind(String sql) {
        return kinds.computeIfAbsent(sql, QueryUtils::getQueryType);
    }

    /** The rows one execution reported (executeUpdate, executeBatch, or execute followed by its update count). */
    private static long updateCount(Object result, int i, ExecutionInfo info) {
        if (result instanceof Integer n) {
            return n;
        } else if (result instanceof Long n) {
            return n;
        } else if (result instanceof int[] ns) {
            return i < ns.length ? ns[i] : 0;
        } else if (result instanceof long[] ns) {
            return i < ns.length ? ns[i] : 0;
        } else if (Boolean.FALSE.equals(result)) {
            try {
                return info.getStatement().getUpdateCount();
            } catch (SQLException e) {
                throw new IllegalStateException("cannot read the update count of a statement it just ran", e);
            }
        }
        return 0; // a query: no rows written
    }

    private static LongAdder[] adders() {
        LongAdder[] a = new LongAdder[QueryType.values().length];
        for (int i = 0; i < a.length; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    private static Kinds kinds(LongAdder[] a) {
        return new Kinds(
                a[QueryType.SELECT.ordinal()].sum(),
                a[QueryType.INSERT.ordinal()].sum(),
                a[QueryType.UPDATE.ordinal()].sum(),
                a[QueryType.DELETE.ordinal()].sum(),
                a[QueryType.OTHER.ordinal()].sum());
    }
}
