package io.continuum.auth.persistence;

import io.continuum.platform.retention.BatchedDelete;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/** The {@code jti} of every accepted logout token, shared by all replicas: a replayed token is refused. */
@ApplicationScoped
public class LogoutTokens {

    private final Pool pool;

    public LogoutTokens(Pool pool) {
        this.pool = pool;
    }

    /** Inside a transaction: true the first time {@code jti} is seen. */
    public Uni<Boolean> firstUse(String jti, Instant expiresAt) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "insert into logout_token (jti, expires_at) values (:jti, :exp) on conflict do nothing")
                .setParameter("jti", jti)
                .setParameter("exp", expiresAt)
                .executeUpdate())
                .map(n -> n == 1);
    }

    @Scheduled(every = "10m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> purge() {
        return purge(1000).replaceWithVoid();
    }

    /** Deletes expired jtis, at most {@code batchSize} per transaction ({@link BatchedDelete}). */
    public Uni<BatchedDelete.Totals> purge(int batchSize) {
        return BatchedDelete.run(pool, "delete from logout_token where ctid = any(array(select ctid from logout_token"
                + " where expires_at < now() limit $1 for update skip locked))", Tuple.tuple(), batchSize);
    }
}
