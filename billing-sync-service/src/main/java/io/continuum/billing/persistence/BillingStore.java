package io.continuum.billing.persistence;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Queries and locks of billing-sync-service; call inside a transaction. */
@ApplicationScoped
public class BillingStore {

    /**
     * Serializes the work on one account (checkouts, entitlement derivation) across requests and replicas: the
     * account's row, created on first use, locked until commit. One statement: the upsert's no-op update takes the row
     * lock (waiting for a holder like {@code select … for update}), and a row it inserts is locked by the insert.
     */
    public Uni<Void> lockAccount(String accountId) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "insert into billing_account (account_id) values (:a)"
                                + " on conflict (account_id) do update set account_id = excluded.account_id")
                .setParameter("a", accountId).executeUpdate())
                .replaceWithVoid();
    }

    /** Serializes the work on one provider subscription (a transaction-scoped advisory lock: the row may not exist yet). */
    public Uni<Void> lockSubscription(String store, String providerId) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "select 1 from (select pg_advisory_xact_lock(hashtext(:k))) l", Integer.class)
                .setParameter("k", "subscription:" + store + ":" + providerId).getSingleResult())
                .replaceWithVoid();
    }

    public Uni<Optional<SubscriptionEntity>> subscription(String store, String providerId) {
        return SubscriptionEntity.<SubscriptionEntity>find("store = ?1 and providerId = ?2", store, providerId)
                .withLock(LockModeType.PESSIMISTIC_WRITE).firstResult().map(Optional::ofNullable);
    }

    public Uni<SubscriptionEntity> subscriptionOf(String accountId, UUID id) {
        return SubscriptionEntity.<SubscriptionEntity>find("id = ?1 and accountId = ?2", id, accountId).firstResult();
    }

    public Uni<List<SubscriptionEntity>> subscriptionsOf(String accountId) {
        return SubscriptionEntity.list("accountId = ?1 order by createdAt", accountId);
    }

    public Uni<List<EntitlementEntity>> entitlementsOf(String accountId) {
        return EntitlementEntity.list("accountId = ?1 order by entitlement", accountId);
    }

    /** Subscriptions whose grace period or paid period has ended at {@code now} but are not expired yet. */
    public Uni<List<SubscriptionEntity>> lapsed(Instant now) {
        return SubscriptionEntity.list("(status = 'past_due' and graceUntil <= ?1) or (status = 'canceled' and currentPeriodEnd <= ?1)", now);
    }

    public Uni<Optional<String>> accountOfCustomer(String store, String providerCustomerId) {
        if (providerCustomerId == null) {
            return Uni.createFrom().item(Optional.empty());
        }
        return CustomerEntity.<CustomerEntity>findById(CustomerEntity.key(store, providerCustomerId))
                .map(c -> Optional.ofNullable(c == null ? null : c.accountId));
    }

    public Uni<Optional<String>> customerOfAccount(String store, String accountId) {
        return CustomerEntity.<CustomerEntity>find("store = ?1 and accountId = ?2", store, accountId).firstResult()
                .map(c -> Optional.ofNullable(c == null ? null : c.providerCustomerId));
    }

    /** Links a provider customer to an account (first link wins: a customer never moves to another account). */
    public Uni<Void> linkCustomer(String store, String providerCustomerId, String accountId) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "insert into customer (id, store, provider_customer_id, account_id) values (:id, :s, :c, :a) on conflict do nothing")
                .setParameter("id", CustomerEntity.key(store, providerCustomerId)).setParameter("s", store)
                .setParameter("c", providerCustomerId).setParameter("a", accountId).executeUpdate()).replaceWithVoid();
    }

    public Uni<CheckoutSessionEntity> openCheckout(String accountId, String planId, Instant now) {
        return CheckoutSessionEntity.<CheckoutSessionEntity>find(
                "accountId = ?1 and planId = ?2 and status = 'open' and expiresAt > ?3 order by createdAt desc", accountId, planId, now)
                .firstResult();
    }

    public Uni<Void> completeCheckout(String sessionId) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                "update checkout_session set status = 'completed' where id = :id and status = 'open'")
                .setParameter("id", sessionId).executeUpdate()).replaceWithVoid();
    }

    /** The accepted signature time of an already stored provider event, if stored. */
    public Uni<Optional<Long>> webhookSignatureTime(String store, String eventId) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "select signature_t from webhook_event where store = :s and event_id = :e", Long.class)
                .setParameter("s", store).setParameter("e", eventId).getResultList())
                .map(l -> l.stream().findFirst());
    }

    public Uni<Void> storeWebhook(String store, String eventId, String type, long created, long signatureT, String outcome, String payload) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "insert into webhook_event (store, event_id, event_type, created, signature_t, outcome, payload)"
                                + " values (:s, :e, :t, :c, :sig, :o, :p)")
                .setParameter("s", store).setParameter("e", eventId).setParameter("t", type).setParameter("c", created)
                .setParameter("sig", signatureT).setParameter("o", outcome).setParameter("p", payload)
                .executeUpdate()).replaceWithVoid();
    }
}
