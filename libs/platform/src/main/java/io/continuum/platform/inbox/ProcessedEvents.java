package io.continuum.platform.inbox;

import io.continuum.events.CloudEvent;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
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
        return processEachOnce(consumer, List.of(event), e -> effect.get()).map(first -> first.get(0));
    }

    /**
     * Applies {@code effect} to each event once per (consumer, event id), all in one transaction and in the order
     * given (a poll batch: one commit instead of one per event). A failure rolls every event back, so none is marked.
     *
     * @return for each event, in order, true when its effect ran, false when it had been processed before (also
     * earlier in the same list)
     */
    public Uni<List<Boolean>> processEachOnce(String consumer, List<CloudEvent> events, Function<CloudEvent, Uni<?>> effect) {
        return Panache.withTransaction(() -> {
            List<Boolean> first = new ArrayList<>(events.size());
            Uni<?> chain = Uni.createFrom().voidItem();
            for (CloudEvent event : events) {
                chain = chain.chain(() -> markFirstDelivery(consumer, event.id()).chain(isFirst -> {
                    first.add(isFirst);
                    return isFirst ? effect.apply(event) : Uni.createFrom().voidItem();
                }));
            }
            return chain.replaceWith(first);
        });
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
