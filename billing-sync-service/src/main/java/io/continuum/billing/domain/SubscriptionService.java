package io.continuum.billing.domain;

import io.continuum.billing.config.BillingConfig;
import io.continuum.billing.persistence.BillingStore;
import io.continuum.billing.persistence.EntitlementEntity;
import io.continuum.billing.persistence.SubscriptionEntity;
import io.continuum.billing.provider.ProviderSubscription;
import io.continuum.events.EventTypes;
import io.continuum.events.billing.EntitlementChanged;
import io.continuum.events.billing.SubscriptionChanged;
import io.continuum.platform.outbox.Outbox;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The subscription state machine (docs/billing.md): trialing → active → past_due (grace: entitlements kept) →
 * canceled (kept until period end) → expired; refund or dispute → revoked at once. Every method runs inside the
 * caller's transaction (opened with {@link BillingTransactions#inTransaction}); every transition writes one {@code subscription-changed} event, and every entitlement whose
 * derived state changed writes one {@code entitlement-changed} event, both through the outbox in that transaction.
 *
 * <p>Out-of-order safety: each provider change carries the provider's time ({@code version}, epoch seconds of the
 * event); a change older than the newest one applied to the subscription is ignored ({@link Result#STALE}).
 */
@ApplicationScoped
public class SubscriptionService {

    private static final Logger LOG = Logger.getLogger(SubscriptionService.class);

    /** What a provider change did. */
    public enum Result {
        APPLIED, UNCHANGED, STALE, IGNORED;

        /** The outcome a webhook answers and stores for it. */
        public String outcome() {
            return switch (this) {
                case APPLIED, UNCHANGED -> "applied";
                case STALE -> "stale";
                case IGNORED -> "ignored";
            };
        }
    }

    private final BillingStore store;
    private final Catalog catalog;
    private final Outbox outbox;
    private final BillingConfig config;
    private final BillingClock clock;
    private final BillingTransactions transactions;
    private final AccountWork accounts;

    public SubscriptionService(BillingStore store, Catalog catalog, Outbox outbox, BillingConfig config, BillingClock clock,
                               BillingTransactions transactions, AccountWork accounts) {
        this.accounts = accounts;
        this.store = store;
        this.catalog = catalog;
        this.outbox = outbox;
        this.config = config;
        this.clock = clock;
        this.transactions = transactions;
    }

    /**
     * Applies the provider's full view of a subscription (subscription webhooks, a fetch, reconciliation). The account
     * comes from the stored row, else the subscription's metadata, else the customer mapping.
     */
    public Uni<Result> applyProviderState(String storeName, ProviderSubscription p, long version, String cause) {
        return store.lockSubscription(storeName, p.providerId())
                .chain(() -> store.subscription(storeName, p.providerId()))
                .chain(existing -> resolveAccount(storeName, p, existing).chain(account -> {
                    if (account.isEmpty()) {
                        LOG.warnf("%s subscription %s: no account known (no metadata.account_id, unknown customer %s); ignored",
                                storeName, p.providerId(), p.customerId());
                        return Uni.createFrom().item(Result.IGNORED);
                    }
                    Optional<Catalog.Plan> plan = catalog.plan(p.planId());
                    if (plan.isEmpty()) {
                        LOG.warnf("%s subscription %s: plan %s is not in the catalog; ignored", storeName, p.providerId(), p.planId());
                        return Uni.createFrom().item(Result.IGNORED);
                    }
                    if (existing.isPresent() && version < existing.get().providerVersion) {
                        return Uni.createFrom().item(Result.STALE);
                    }
                    SubscriptionEntity s = existing.orElseGet(() -> fresh(storeName, p.providerId(), account.get(), plan.get()));
                    boolean isNew = existing.isEmpty();
                    String before = isNew ? null : s.status;
                    String target = Status.fromProvider(p.status(), p.cancelAtPeriodEnd());
                    Instant now = clock.now();
                    return change(s, isNew, before, cause, version, x -> {
                        x.planId = plan.get().id();
                        x.productId = plan.get().productId();
                        x.currentPeriodStart = p.currentPeriodStart();
                        x.currentPeriodEnd = p.currentPeriodEnd();
                        x.cancelAtPeriodEnd = p.cancelAtPeriodEnd();
                        if (Status.REVOKED.equals(x.status)) {
                            return; // a refund or dispute is final, whatever the provider still says about the subscription
                        }
                        x.graceUntil = Status.PAST_DUE.equals(target)
                                ? (Status.PAST_DUE.equals(before) && x.graceUntil != null ? x.graceUntil : now.plus(config.gracePeriod()))
                                : null;
                        if (!target.equals(x.status)) {
                            x.statusReason = Status.EXPIRED.equals(target) ? "provider-canceled" : null;
                        }
                        x.status = target;
                    });
                }));
    }

    /** {@code invoice.payment_failed}: a live subscription goes {@code past_due} and keeps its entitlements for the grace period. */
    public Uni<Result> paymentFailed(SubscriptionEntity s, long version) {
        if (version < s.providerVersion) {
            return Uni.createFrom().item(Result.STALE);
        }
        String before = s.status;
        Instant now = clock.now();
        return change(s, false, before, "webhook", version, x -> {
            if (Status.ACTIVE.equals(x.status) || Status.TRIALING.equals(x.status)) {
                x.status = Status.PAST_DUE;
                x.graceUntil = now.plus(config.gracePeriod());
            }
        });
    }

    /** {@code invoice.paid}: the payment went through (first payment, renewal, or recovery after a failure). */
    public Uni<Result> paid(SubscriptionEntity s, long version, Instant periodStart, Instant periodEnd) {
        if (version < s.providerVersion) {
            return Uni.createFrom().item(Result.STALE);
        }
        return change(s, false, s.status, "webhook", version, x -> {
            if (Status.PAST_DUE.equals(x.status) || Status.INCOMPLETE.equals(x.status) || Status.TRIALING.equals(x.status)) {
                x.status = x.cancelAtPeriodEnd ? Status.CANCELED : Status.ACTIVE;
                x.graceUntil = null;
            }
            if (periodEnd != null && !Status.terminal(x.status)) {
                x.currentPeriodStart = periodStart;
                x.currentPeriodEnd = periodEnd;
            }
        });
    }

    /** {@code charge.refunded} / {@code charge.dispute.created}: entitlements go at once. */
    public Uni<Result> revoke(SubscriptionEntity s, long version, String reason) {
        // no staleness check: a refund or dispute always wins over any other state
        return change(s, false, s.status, "webhook", Math.max(version, s.providerVersion), x -> {
            if (!Status.REVOKED.equals(x.status)) {
                x.status = Status.REVOKED;
                x.statusReason = reason;
                x.graceUntil = null;
            }
        });
    }

    /** {@link #revoke} of the stored subscription {@code providerId} of {@code storeName}, locked; IGNORED when unknown. */
    public Uni<Result> revokeStored(String storeName, String providerId, long version, String reason) {
        return store.lockSubscription(storeName, providerId).chain(() -> store.subscription(storeName, providerId))
                .chain(s -> s.isEmpty() ? Uni.createFrom().item(Result.IGNORED) : revoke(s.get(), version, reason));
    }

    /** Cancel at period end, asked by the user (the provider was told already). */
    public Uni<Result> canceledByUser(SubscriptionEntity s) {
        long nowVersion = clock.now().getEpochSecond();
        return change(s, false, s.status, "api", Math.max(s.providerVersion, nowVersion), x -> {
            x.cancelAtPeriodEnd = true;
            if (Status.ACTIVE.equals(x.status) || Status.TRIALING.equals(x.status)) {
                x.status = Status.CANCELED;
            }
        });
    }

    /** Grace period or paid period over: {@code expired}. */
    public Uni<Result> expire(SubscriptionEntity s) {
        Instant now = clock.now();
        return change(s, false, s.status, "expiry", s.providerVersion, x -> {
            if (Status.PAST_DUE.equals(x.status) && x.graceUntil != null && !now.isBefore(x.graceUntil)) {
                x.status = Status.EXPIRED;
                x.statusReason = "payment-not-recovered";
            } else if (Status.CANCELED.equals(x.status) && x.currentPeriodEnd != null && !now.isBefore(x.currentPeriodEnd)) {
                x.status = Status.EXPIRED;
                x.statusReason = "period-ended";
            }
        });
    }

    private Uni<Result> change(SubscriptionEntity s, boolean isNew, String before, String cause, long version,
                               Consumer<SubscriptionEntity> mutation) {
        Snapshot old = Snapshot.of(s);
        mutation.accept(s);
        s.providerVersion = Math.max(s.providerVersion, version);
        boolean statusChanged = isNew || !Objects.equals(before, s.status);
        boolean changed = statusChanged || !old.equals(Snapshot.of(s));
        if (!changed) {
            return isNew ? Uni.createFrom().item(Result.UNCHANGED)
                    : Panache.getSession().replaceWith(Result.UNCHANGED); // provider version bump only
        }
        s.updatedAt = clock.now();
        Uni<?> persist = isNew ? Panache.getSession().chain(session -> session.persist(s)) : Uni.createFrom().voidItem();
        Uni<?> event = statusChanged
                ? outbox.append(EventTypes.SUBSCRIPTION_CHANGED, s.accountId, null, null, new SubscriptionChanged(
                        s.id.toString(), s.store, s.productId, s.planId, s.status, before, s.currentPeriodEnd, s.graceUntil, cause))
                : Uni.createFrom().voidItem();
        if (statusChanged) {
            LOG.infof("subscription %s (%s %s) of %s: %s -> %s (%s)", s.id, s.store, s.providerId, s.accountId, before, s.status, cause);
        }
        return persist.chain(() -> event).chain(() -> Panache.getSession().chain(session -> session.flush()))
                .chain(() -> deriveEntitlements(s.accountId)).replaceWith(Result.APPLIED);
    }

    /**
     * Re-derives the account's entitlements from all its subscriptions and writes (row + event) those that changed.
     * Holds the account lock, so two changes of one account never interleave their derivations.
     */
    public Uni<Integer> deriveEntitlements(String accountId) {
        return accounts.write(accountId, AccountWork.Lock.ACCOUNT, (account, now) -> store.subscriptionsOf(account)
                .chain(subs -> store.entitlementsOf(account).chain(rows -> {
                    Map<String, EntitlementRules.Derived> derived = new HashMap<>(EntitlementRules.derive(subs, catalog, now));
                    Map<String, EntitlementEntity> existing = new HashMap<>();
                    rows.forEach(r -> existing.put(r.entitlement, r));
                    Uni<Integer> chain = Uni.createFrom().item(0);
                    for (EntitlementEntity row : rows) {
                        if (!derived.containsKey(row.entitlement) && row.active) {
                            derived.put(row.entitlement, new EntitlementRules.Derived(row.entitlement, false, "expired",
                                    "no-subscription", row.productId, row.subscriptionId, null, null, now));
                        }
                    }
                    for (EntitlementRules.Derived d : derived.values()) {
                        EntitlementEntity row = existing.get(d.entitlement());
                        if (row != null && d.sameAs(row.active, row.state, row.reason, row.productId, row.subscriptionId, row.validUntil)) {
                            continue;
                        }
                        chain = chain.chain(n -> write(accountId, row, d, now).replaceWith(n + 1));
                    }
                    return chain;
                })));
    }

    private Uni<Void> write(String accountId, EntitlementEntity existing, EntitlementRules.Derived d, Instant now) {
        EntitlementEntity row = existing != null ? existing : new EntitlementEntity();
        row.accountId = accountId;
        row.entitlement = d.entitlement();
        row.active = d.active();
        row.state = d.state();
        row.reason = d.reason();
        row.productId = d.productId();
        row.subscriptionId = d.subscriptionId();
        row.validFrom = d.validFrom();
        row.validUntil = d.validUntil();
        row.changedAt = now;
        transactions.entitlementsWritten(accountId);
        Uni<?> persist = existing == null ? Panache.getSession().chain(s -> s.persist(row)) : Uni.createFrom().voidItem();
        LOG.infof("entitlement %s of %s: active=%s state=%s reason=%s until=%s", d.entitlement(), accountId, d.active(),
                d.state(), d.reason(), d.validUntil());
        return persist.chain(() -> outbox.append(EventTypes.ENTITLEMENT_CHANGED, accountId, null, null, new EntitlementChanged(
                d.entitlement(), d.active(), d.productId(), d.validUntil(), d.state(), d.reason(),
                d.subscriptionId() == null ? null : d.subscriptionId().toString()))).replaceWithVoid();
    }

    private Uni<Optional<String>> resolveAccount(String storeName, ProviderSubscription p, Optional<SubscriptionEntity> existing) {
        if (existing.isPresent()) {
            return Uni.createFrom().item(Optional.of(existing.get().accountId));
        }
        if (p.accountId() != null && !p.accountId().isBlank()) {
            return Uni.createFrom().item(Optional.of(p.accountId()));
        }
        return store.accountOfCustomer(storeName, p.customerId());
    }

    private SubscriptionEntity fresh(String storeName, String providerId, String account, Catalog.Plan plan) {
        SubscriptionEntity s = new SubscriptionEntity();
        s.id = UUID.randomUUID();
        s.store = storeName;
        s.providerId = providerId;
        s.accountId = account;
        s.planId = plan.id();
        s.productId = plan.productId();
        s.status = Status.INCOMPLETE;
        s.createdAt = clock.now();
        s.updatedAt = s.createdAt;
        return s;
    }

    /** The fields whose change is worth a write. */
    private record Snapshot(String status, String reason, Instant start, Instant end, boolean cancel, Instant grace, String plan) {
        static Snapshot of(SubscriptionEntity s) {
            return new Snapshot(s.status, s.statusReason, s.currentPeriodStart, s.currentPeriodEnd, s.cancelAtPeriodEnd,
                    s.graceUntil, s.planId);
        }
    }

    /** Lists for the API. */
    public Uni<List<SubscriptionEntity>> of(String accountId) {
        return store.subscriptionsOf(accountId);
    }
}
