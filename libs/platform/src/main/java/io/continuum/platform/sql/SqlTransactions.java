package io.continuum.platform.sql;

import io.smallrye.common.vertx.ContextLocals;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Transactions straight on the reactive PostgreSQL pool (no ORM session), for hot write paths that run plain
 * prepared statements. A transaction opened here belongs to the request (its Vert.x duplicated context): a nested
 * {@link #inTransaction} on the same request joins it instead of opening a second one. That is how
 * {@code @Idempotent(store = SQL_CLIENT)} stores the first answer in the same transaction as the effect.
 *
 * <p>Writes whose answer nobody reads (an outbox row, the account's new revision, the stored idempotent answer) can be
 * handed to {@link #atCommit}: they are sent together with the {@code COMMIT}, pipelined on the connection, so the
 * transaction waits for the database once for all of them instead of once each. On this machine a round trip to
 * PostgreSQL (two system calls and a wake-up on each side) costs more CPU than the statement it carries
 * (docs/benchmarks.md).
 */
@ApplicationScoped
public class SqlTransactions {

    private static final String CURRENT = "continuum.sql.transaction";

    private final Pool pool;
    /** The statements each open transaction sends with its COMMIT, by its connection. */
    private final Map<SqlConnection, List<Supplier<Uni<?>>>> atCommit = new IdentityHashMap<>();

    public SqlTransactions(Pool pool) {
        this.pool = pool;
    }

    /**
     * Runs {@code work} in the request's transaction, or in a new one (committed when {@code work}'s Uni succeeds,
     * rolled back when it fails). The statements given to {@link #atCommit} run just before the COMMIT, in the order
     * given, in the same round trip; if one fails, the transaction rolls back and the returned Uni fails.
     */
    public <T> Uni<T> inTransaction(Function<SqlConnection, Uni<T>> work) {
        Optional<SqlConnection> current = current();
        if (current.isPresent()) {
            return work.apply(current.get());
        }
        return pool.getConnection().chain(connection -> connection.begin()
                .chain(tx -> {
                    List<Supplier<Uni<?>>> deferred = new ArrayList<>();
                    register(connection, deferred);
                    boolean bound = bind(connection);
                    return Uni.createFrom().deferred(() -> work.apply(connection))
                            .call(() -> commit(tx, deferred))
                            .onFailure().call(() -> tx.rollback().onFailure().recoverWithNull())
                            .eventually(() -> {
                                unregister(connection);
                                if (bound) {
                                    ContextLocals.remove(CURRENT);
                                }
                            });
                })
                .eventually(connection::close));
    }

    /**
     * Sends {@code statement} with the COMMIT of the transaction {@code connection} belongs to (opened by
     * {@link #inTransaction}), instead of now: for writes whose result the transaction does not read afterwards. On a
     * connection of no transaction of ours, runs it now. Either way the returned Uni completes at once with nothing.
     */
    public Uni<Void> atCommit(SqlConnection connection, Supplier<Uni<?>> statement) {
        List<Supplier<Uni<?>>> deferred;
        synchronized (atCommit) {
            deferred = atCommit.get(connection);
        }
        if (deferred == null) {
            return Uni.createFrom().deferred(statement).replaceWithVoid();
        }
        deferred.add(statement);
        return Uni.createFrom().voidItem();
    }

    /**
     * The deferred statements and the COMMIT, all sent before any answer is awaited (the pool pipelines them on the
     * connection); waits for every answer, so nothing is left in flight when the connection goes back to the pool.
     */
    private static Uni<Void> commit(Transaction tx, List<Supplier<Uni<?>>> deferred) {
        if (deferred.isEmpty()) {
            return tx.commit();
        }
        List<Uni<?>> sent = new ArrayList<>(deferred.size() + 1);
        deferred.forEach(s -> sent.add(s.get()));
        sent.add(tx.commit());
        return Uni.combine().all().unis(sent).collectFailures().discardItems();
    }

    private void register(SqlConnection connection, List<Supplier<Uni<?>>> deferred) {
        synchronized (atCommit) {
            atCommit.put(connection, deferred);
        }
    }

    private void unregister(SqlConnection connection) {
        synchronized (atCommit) {
            atCommit.remove(connection);
        }
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
