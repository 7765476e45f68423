package io.continuum.session.persistence;

import io.continuum.session.config.StateConfig;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Keeps the op log (changes feed and replay answers) to {@code continuum.state.history-retention}. Pruning raises
 * the account's {@code history_floor} in the same statement, so a device whose cursor is below it is told to
 * reload the snapshot instead of silently missing changes. Safe with several replicas (plain set-based deletes).
 */
@ApplicationScoped
public class HistoryPruner {

    private static final Logger LOG = Logger.getLogger(HistoryPruner.class);
    private static final String RAISE_FLOOR = " update account_state a set history_floor = greatest(a.history_floor, p.top)"
            + " from (select account_id, max(revision) top from pruned where revision is not null group by account_id) p"
            + " where a.account_id = p.account_id";

    private final Pool pool;
    private final StateConfig config;

    public HistoryPruner(Pool pool, StateConfig config) {
        this.pool = pool;
        this.config = config;
    }

    @Scheduled(every = "${continuum.state.prune-every:1h}", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return pruneOlderThan(config.historyRetention().toSeconds())
                .invoke(n -> {
                    if (n > 0) {
                        LOG.infof("Pruned the op log of %d account(s): changes older than %s", n, config.historyRetention());
                    }
                })
                .replaceWithVoid();
    }

    /** Deletes op log rows older than {@code seconds}; answers how many accounts had their floor raised. */
    public Uni<Integer> pruneOlderThan(long seconds) {
        return pool.withTransaction(c -> c.preparedQuery("with pruned as (delete from op_log where at < now() - make_interval(secs => $1)"
                        + " returning account_id, revision)" + RAISE_FLOOR)
                .execute(Tuple.of((double) seconds)).map(r -> r.rowCount()));
    }
}
