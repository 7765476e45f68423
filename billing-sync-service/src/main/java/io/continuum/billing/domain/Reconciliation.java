package io.continuum.billing.domain;

import io.continuum.billing.config.BillingConfig;
import io.continuum.billing.persistence.BillingStore;
import io.continuum.billing.persistence.SubscriptionEntity;
import io.continuum.billing.provider.PaymentProvider;
import io.continuum.billing.provider.ProviderSubscription;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Objects;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Compares every subscription the provider lists with the local one and repairs drift (a missed webhook, a wrong
 * state): the provider's view is applied as the newest state, with cause {@code reconciliation}, so the repair is
 * published like any other transition. Counts {@code continuum_billing_reconciliation_repairs_total}.
 */
@ApplicationScoped
public class Reconciliation {

    private static final Logger LOG = Logger.getLogger(Reconciliation.class);

    private final PaymentProvider provider;
    private final BillingStore store;
    private final SubscriptionService subscriptions;
    private final BillingConfig config;
    private final BillingClock clock;
    private final MeterRegistry meters;
    private final BillingTransactions transactions;

    public Reconciliation(PaymentProvider provider, BillingStore store, SubscriptionService subscriptions, BillingConfig config,
                          BillingClock clock, MeterRegistry meters, BillingTransactions transactions) {
        this.transactions = transactions;
        this.provider = provider;
        this.store = store;
        this.subscriptions = subscriptions;
        this.config = config;
        this.clock = clock;
        this.meters = meters;
        meters.counter("continuum.billing.reconciliation.repairs", "kind", "missing");
        meters.counter("continuum.billing.reconciliation.repairs", "kind", "state");
    }

    @Scheduled(every = "${continuum.billing.reconciliation.every}", delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Disabled.class)
    Uni<Void> scheduled() {
        return run().onFailure().recoverWithItem(e -> {
            LOG.warnf("reconciliation failed: %s", e.getMessage());
            return -1;
        }).replaceWithVoid();
    }

    /** One pass; returns the number of subscriptions repaired. */
    public Uni<Integer> run() {
        return provider.listSubscriptions().chain(list -> Multi.createFrom().iterable(list)
                .onItem().transformToUniAndConcatenate(this::reconcile)
                .collect().asList()
                .map(l -> (int) l.stream().filter(b -> b).count()))
                .invoke(n -> LOG.infof("reconciliation: %d subscription(s) repaired", n));
    }

    private Uni<Boolean> reconcile(ProviderSubscription p) {
        String storeName = provider.store();
        return transactions.inTransaction(() -> store.lockSubscription(storeName, p.providerId())
                .chain(() -> store.subscription(storeName, p.providerId()))
                .chain(local -> {
                    Optional<String> drift = drift(local, p);
                    if (drift.isEmpty()) {
                        return Uni.createFrom().item(false);
                    }
                    long version = Math.max(local.map(s -> s.providerVersion).orElse(0L), clock.now().getEpochSecond());
                    return subscriptions.applyProviderState(storeName, p, version, "reconciliation").map(r -> {
                        if (r != SubscriptionService.Result.APPLIED) {
                            return false;
                        }
                        LOG.infof("reconciliation repaired %s subscription %s: %s", storeName, p.providerId(), drift.get());
                        meters.counter("continuum.billing.reconciliation.repairs", "kind",
                                local.isEmpty() ? "missing" : "state").increment();
                        return true;
                    });
                }));
    }

    /** Why the local subscription differs from the provider's, or empty when it does not. */
    static Optional<String> drift(Optional<SubscriptionEntity> local, ProviderSubscription p) {
        String expected = Status.fromProvider(p.status(), p.cancelAtPeriodEnd());
        if (local.isEmpty()) {
            return Status.INCOMPLETE.equals(expected) ? Optional.empty() : Optional.of("missing locally (provider: " + expected + ")");
        }
        SubscriptionEntity s = local.get();
        if (Status.REVOKED.equals(s.status)) {
            return Optional.empty(); // final here, whatever the provider's subscription object says
        }
        if (Status.EXPIRED.equals(s.status)) {
            // expired here by our own rules (grace over, period over): only a renewal we missed brings it back
            boolean renewed = Status.live(expected) && !Status.PAST_DUE.equals(expected) && p.currentPeriodEnd() != null
                    && (s.currentPeriodEnd == null || p.currentPeriodEnd().isAfter(s.currentPeriodEnd));
            return renewed ? Optional.of("renewed at the provider until " + p.currentPeriodEnd()) : Optional.empty();
        }
        if (!expected.equals(s.status)) {
            return Optional.of("status " + s.status + ", provider " + expected);
        }
        if (!Objects.equals(p.currentPeriodEnd(), s.currentPeriodEnd) || p.cancelAtPeriodEnd() != s.cancelAtPeriodEnd) {
            return Optional.of("period end or cancellation differs");
        }
        return Optional.empty();
    }

    /** Skips the scheduled run when {@code continuum.billing.reconciliation.enabled=false}. */
    @ApplicationScoped
    public static class Disabled implements Scheduled.SkipPredicate {
        private final BillingConfig config;

        public Disabled(BillingConfig config) {
            this.config = config;
        }

        @Override
        public boolean test(io.quarkus.scheduler.ScheduledExecution execution) {
            return !config.reconciliation().enabled();
        }
    }
}
