package io.continuum.auth.persistence;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/** The {@code jti} of every accepted logout token, shared by all replicas: a replayed token is refused. */
@ApplicationScoped
public class LogoutTokens {

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
        return Panache.withTransaction(() -> Panache.getSession().chain(s -> s.createNativeQuery(
                        "delete from logout_token where expires_at < now()").executeUpdate()))
                .replaceWithVoid();
    }
}
