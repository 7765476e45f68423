package io.continuum.session.persistence;

import io.continuum.platform.retention.BatchedDelete;
import io.continuum.session.config.StateConfig;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Keeps the op log (changes feed and replay answers) to {@code continuum.state.history-retention}. Each batch raises
 * the accounts' {@code history_floor} in the same statement that deletes their rows, so a device whose cursor is
 * below it is told to reload the snapshot instead of silently missing changes. Bounded batches of
 * {@code continuum.state.prune-batch-size} rows, each its own transaction ({@link BatchedDelete}); replicas pruning at
 * once skip each other's rows ({@code skip locked}).
 */
@ApplicationScoped
public class HistoryPruner {

    private static final Logger LOG = Logger.getLogger(HistoryPruner.class);
    private static final String BATCH = "with doomed as (select account_id, op_id from op_log"
            + " where at < now() - make_interval(secs => $1) order by at limit $2 for update skip locked),"
            + " pruned as (delete from op_log o using doomed d where o.account_id = d.account_id and o.op_id = d.op_id"
            + " returning o.account_id, o.revision),"
            + " raised as (update account_state a set history_floor = greatest(a.history_floor, p.top)"
            + " from (select account_id, max(revision) top from pruned where revision is not null group by account_id) p"
            + " where a.account_id = p.account_id returning 1)"
            + " select (select count(*) from pruned) as deleted, (select count(*) from raised) as accounts";

    private final Pool pool;
    private final StateConfig config;

    public HistoryPruner(Pool pool, StateConfig config) {
        this.pool = pool;
        this.config = config;
    }

    /** What a run did: rows deleted, batches (transactions) run, account floors raised (counted once per batch). */
    public record Pruned(long rows, int batches, long accounts) {
    }

    @Scheduled(every = "${continuum.state.prune-every:1h}", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return pruneOlderThan(config.historyRetention().toSeconds(), config.pruneBatchSize())
                .invoke(p -> {
                    if (p.rows() > 0) {
                        LOG.infof("Pruned %d op log row(s) older than %s in %d batch(es)", p.rows(), config.historyRetention(), p.batches());
                    }
                })
                .replaceWithVoid();
    }

    /** Deletes op log rows older than {@code seconds}; answers how many account floors were raised. */
    public Uni<Integer> pruneOlderThan(long seconds) {
        return pruneOlderThan(seconds, config.pruneBatchSize()).map(p -> (int) p.accounts());
    }

    /** Deletes op log rows older than {@code seconds}, at most {@code batchSize} per transaction. */
    public Uni<Pruned> pruneOlderThan(long seconds, int batchSize) {
        AtomicInteger accounts = new AtomicInteger();
        return BatchedDelete.repeat(() -> pool.withTransaction(c -> c.preparedQuery(BATCH)
                                .execute(Tuple.of((double) seconds, batchSize)))
                        .map(rows -> {
                            var row = rows.iterator().next();
                            accounts.addAndGet((int) row.getLong("accounts").longValue());
                            return row.getLong("deleted");
                        }), batchSize)
                .map(t -> new Pruned(t.rows(), t.batches(), accounts.get()));
    }
}
