package io.continuum.platform.retention;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.function.Supplier;

/**
 * Retention deletes in bounded batches: each batch is its own short transaction touching at most {@code batchSize}
 * rows, repeated until a batch finds fewer. One unbounded {@code delete} of a big backlog would hold its locks, bloat
 * WAL and stall vacuum and replicas for as long as it runs; batches keep every transaction small and let writers in
 * between.
 */
public final class BatchedDelete {

    /** Most batches one run does; the next scheduled run goes on from there. */
    public static final int MAX_BATCHES = 10_000;

    /** Rows deleted and batches run. */
    public record Totals(long rows, int batches) {
        Totals plus(long more) {
            return new Totals(rows + more, batches + 1);
        }
    }

    private BatchedDelete() {
    }

    /**
     * Runs {@code sql} (a delete of at most {@code $n} rows, where {@code $n} is the parameter after {@code args},
     * bound to {@code batchSize}) in its own transaction, again and again while a batch deletes {@code batchSize} rows.
     * Pick the rows with {@code ... where ctid = any(array(select ctid from t where <old> limit $n for update skip locked))}
     * so that replicas pruning at once skip each other's rows instead of waiting.
     */
    public static Uni<Totals> run(Pool pool, String sql, Tuple args, int batchSize) {
        Tuple bound = Tuple.tuple();
        for (int i = 0; i < args.size(); i++) {
            bound.addValue(args.getValue(i));
        }
        bound.addInteger(batchSize);
        return repeat(() -> pool.withTransaction(c -> c.preparedQuery(sql).execute(bound)).map(r -> (long) r.rowCount()), batchSize);
    }

    /** Runs {@code batch} (answering how many rows it deleted) until it deletes fewer than {@code batchSize}. */
    public static Uni<Totals> repeat(Supplier<Uni<Long>> batch, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be positive");
        }
        return next(batch, batchSize, new Totals(0, 0));
    }

    private static Uni<Totals> next(Supplier<Uni<Long>> batch, int batchSize, Totals sofar) {
        return batch.get().chain(n -> {
            Totals now = sofar.plus(n);
            return n < batchSize || now.batches() >= MAX_BATCHES ? Uni.createFrom().item(now) : next(batch, batchSize, now);
        });
    }
}
