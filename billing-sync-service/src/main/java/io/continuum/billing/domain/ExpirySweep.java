package io.continuum.billing.domain;

import io.continuum.billing.persistence.BillingStore;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Turns lapsed grace periods ({@code past_due}) and ended paid periods ({@code canceled}) into {@code expired}. */
@ApplicationScoped
public class ExpirySweep {

    private final BillingStore store;
    private final SubscriptionService subscriptions;
    private final BillingClock clock;
    private final BillingTransactions transactions;

    public ExpirySweep(BillingStore store, SubscriptionService subscriptions, BillingClock clock, BillingTransactions transactions) {
        this.transactions = transactions;
        this.store = store;
        this.subscriptions = subscriptions;
        this.clock = clock;
    }

    @Scheduled(every = "${continuum.billing.expiry-every}", delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return run().replaceWithVoid();
    }

    /** One pass; returns how many subscriptions expired. */
    public Uni<Integer> run() {
        return Panache.withSession(() -> store.lapsed(clock.now())).chain(lapsed -> Multi.createFrom().iterable(lapsed)
                .onItem().transformToUniAndConcatenate(s -> transactions.inTransaction(() -> store.lockSubscription(s.store, s.providerId)
                        .chain(() -> store.subscription(s.store, s.providerId))
                        .chain(found -> found.isEmpty() ? Uni.createFrom().item(SubscriptionService.Result.UNCHANGED)
                                : subscriptions.expire(found.get()))))
                .collect().asList().map(l -> (int) l.stream().filter(r -> r == SubscriptionService.Result.APPLIED).count()));
    }
}
