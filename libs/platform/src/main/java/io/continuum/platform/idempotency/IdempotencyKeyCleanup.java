package io.continuum.platform.idempotency;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Removes stored responses once their 24 h replay window has passed (lookups ignore them before that anyway). */
@ApplicationScoped
public class IdempotencyKeyCleanup {

    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> purgeExpired() {
        return Panache.withTransaction(() -> Panache.getSession().chain(s -> s.createNativeQuery(
                        "delete from idempotency_key where created_at < now() - interval '24 hours'")
                .executeUpdate())).replaceWithVoid();
    }
}
