package io.continuum.platform.idempotency;

import io.continuum.platform.retention.BatchedDelete;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/** Removes stored responses once their 24 h replay window has passed (lookups ignore them before that anyway). */
@ApplicationScoped
public class IdempotencyKeyCleanup {

    static final int BATCH = 1000;

    private final Pool pool;

    public IdempotencyKeyCleanup(Pool pool) {
        this.pool = pool;
    }

    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> purgeExpired() {
        return purge(BATCH).replaceWithVoid();
    }

    /** Deletes expired keys, {@code batchSize} rows per transaction. */
    public Uni<BatchedDelete.Totals> purge(int batchSize) {
        return BatchedDelete.run(pool, "delete from idempotency_key where ctid = any(array(select ctid from idempotency_key"
                + " where created_at < now() - interval '24 hours' limit $1 for update skip locked))", Tuple.tuple(), batchSize);
    }
}
