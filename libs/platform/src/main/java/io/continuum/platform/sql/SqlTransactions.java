package io.continuum.platform.sql;

import io.smallrye.common.vertx.ContextLocals;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.function.Function;

/**
 * Transactions straight on the reactive PostgreSQL pool (no ORM session), for hot write paths that run plain
 * prepared statements. A transaction opened here belongs to the request (its Vert.x duplicated context): a nested
 * {@link #inTransaction} on the same request joins it instead of opening a second one. That is how
 * {@code @Idempotent(store = SQL_CLIENT)} stores the first answer in the same transaction as the effect.
 */
@ApplicationScoped
public class SqlTransactions {

    private static final String CURRENT = "continuum.sql.transaction";

    private final Pool pool;

    public SqlTransactions(Pool pool) {
        this.pool = pool;
    }

    /**
     * Runs {@code work} in the request's transaction, or in a new one (committed when {@code work}'s Uni succeeds,
     * rolled back when it fails).
     */
    public <T> Uni<T> inTransaction(Function<SqlConnection, Uni<T>> work) {
        Optional<SqlConnection> current = current();
        if (current.isPresent()) {
            return work.apply(current.get());
        }
        return pool.withTransaction(connection -> {
            boolean bound = bind(connection);
            Uni<T> result = Uni.createFrom().deferred(() -> work.apply(connection));
            return bound ? result.eventually(() -> ContextLocals.remove(CURRENT)) : result;
        });
    }

    private static Optional<SqlConnection> current() {
        try {
            return ContextLocals.get(CURRENT);
        } catch (UnsupportedOperationException | IllegalStateException notOnARequestContext) {
            return Optional.empty();
        }
    }

    /** Binds the connection to the current request's context; false off a duplicated context (nothing to join). */
    private static boolean bind(SqlConnection connection) {
        try {
            ContextLocals.put(CURRENT, connection);
            return true;
        } catch (UnsupportedOperationException | IllegalStateException notOnARequestContext) {
            return false;
        }
    }
}
