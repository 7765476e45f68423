package io.continuum.platform.inbox;

import io.continuum.events.CloudEvent;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Supplier;

/**
 * Idempotent consumer: Kafka delivers at least once, so a consumer records each event id it has applied in
 * the same transaction as the effect. A redelivered event finds its id and is skipped; a crash before commit
 * leaves neither the effect nor the id.
 */
@ApplicationScoped
public class ProcessedEvents {

    /**
     * Applies {@code effect} once per (consumer, event id), in one transaction with the bookkeeping.
     *
     * @return true when the effect ran, false when the event had been processed before
     */
    public Uni<Boolean> processOnce(String consumer, CloudEvent event, Supplier<Uni<?>> effect) {
        return Panache.withTransaction(() -> markFirstDelivery(consumer, event.id())
                .chain(first -> first ? effect.get().replaceWith(true) : Uni.createFrom().item(false)));
    }

    /** Inside a transaction: true if this is the first time the consumer sees the event. */
    public Uni<Boolean> markFirstDelivery(String consumer, String eventId) {
        return Panache.getSession()
                .chain(session -> session.createNativeQuery(
                                "insert into processed_event (consumer, event_id) values (:consumer, :eventId) on conflict do nothing")
                        .setParameter("consumer", consumer)
                        .setParameter("eventId", eventId)
                        .executeUpdate())
                .map(inserted -> inserted == 1);
    }
}
