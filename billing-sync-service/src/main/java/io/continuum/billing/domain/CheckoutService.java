package io.continuum.billing.domain;

import io.continuum.billing.config.BillingConfig;
import io.continuum.billing.persistence.BillingStore;
import io.continuum.billing.persistence.CheckoutSessionEntity;
import io.continuum.billing.persistence.EntitlementEntity;
import io.continuum.billing.persistence.SubscriptionEntity;
import io.continuum.billing.provider.PaymentProvider;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Starts a purchase: one checkout session per account and plan at a time. The account row is locked for the whole
 * decision (including the call to the provider), so two devices pressing "buy" together get the same session: the
 * second waits for the first to commit, then finds its open session.
 */
@ApplicationScoped
public class CheckoutService {

    private static final Logger LOG = Logger.getLogger(CheckoutService.class);

    /** The session to send the user to; {@code created} is false when an open one was handed out again. */
    public record Checkout(CheckoutSessionEntity session, boolean created) {}

    /** The account already holds every entitlement of the plan. */
    public static final class AlreadyEntitled extends RuntimeException {
        public final SubscriptionEntity subscription;
        public final List<String> entitlements;

        AlreadyEntitled(SubscriptionEntity subscription, List<String> entitlements) {
            super("the account already holds " + String.join(", ", entitlements));
            this.subscription = subscription;
            this.entitlements = entitlements;
        }
    }

    private final BillingStore store;
    private final Catalog catalog;
    private final PaymentProvider provider;
    private final BillingConfig config;
    private final AccountWork accounts;

    public CheckoutService(BillingStore store, Catalog catalog, PaymentProvider provider, BillingConfig config, AccountWork accounts) {
        this.accounts = accounts;
        this.store = store;
        this.catalog = catalog;
        this.provider = provider;
        this.config = config;
    }

    /** @param plan a plan of the catalog (the API checked it) */
    public Uni<Checkout> checkout(String accountId, Catalog.Plan plan, String idempotencyKey) {
        List<String> wanted = catalog.product(plan.productId()).entitlements();
        return accounts.write(accountId, AccountWork.Lock.ACCOUNT, (account, now) -> store.entitlementsOf(account)
                .chain(rows -> {
                    Set<String> held = rows.stream().filter(r -> r.active && (r.validUntil == null || r.validUntil.isAfter(now)))
                            .map(r -> r.entitlement).collect(Collectors.toSet());
                    if (held.containsAll(wanted)) {
                        EntitlementEntity first = rows.stream().filter(r -> r.entitlement.equals(wanted.get(0))).findFirst().orElseThrow();
                        return SubscriptionEntity.<SubscriptionEntity>findById(first.subscriptionId)
                                .map(sub -> {
                                    throw new AlreadyEntitled(sub, wanted);
                                });
                    }
                    return store.openCheckout(accountId, plan.id(), now).chain(open -> open != null
                            ? Uni.createFrom().item(new Checkout(open, false))
                            : create(accountId, plan, idempotencyKey, now));
                }));
    }

    private Uni<Checkout> create(String accountId, Catalog.Plan plan, String idempotencyKey, Instant now) {
        return store.customerOfAccount(provider.store(), accountId)
                .chain(customer -> provider.createCheckout(accountId, customer.orElse(null), plan.id(),
                        "checkout:" + accountId + ":" + plan.id() + ":" + idempotencyKey))
                .chain(created -> {
                    CheckoutSessionEntity s = new CheckoutSessionEntity();
                    s.id = created.sessionId();
                    s.store = provider.store();
                    s.accountId = accountId;
                    s.planId = plan.id();
                    s.status = "open";
                    s.url = created.url();
                    s.createdAt = now;
                    Instant ttl = now.plus(config.checkoutTtl());
                    s.expiresAt = created.expiresAt() != null && created.expiresAt().isBefore(ttl) ? created.expiresAt() : ttl;
                    LOG.infof("checkout session %s for %s, plan %s", s.id, accountId, plan.id());
                    return Panache.getSession().chain(session -> session.persist(s)).replaceWith(new Checkout(s, true));
                });
    }
}
