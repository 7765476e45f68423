package io.continuum.billing.api;

import io.continuum.billing.persistence.CheckoutSessionEntity;
import io.continuum.billing.persistence.SubscriptionEntity;
import java.time.Instant;
import java.util.List;

/** JSON shapes of the billing API (docs/api.md). */
public final class Views {

    private Views() {
    }

    /**
     * @param active in force now (active and not past {@code validUntil})
     * @param state  as derived; {@code expired} as soon as {@code validUntil} has passed (see {@link EntitlementView})
     */
    public record Entitlement(String entitlement, boolean active, String state, String reason, String productId,
                              Instant validUntil, String subscriptionId) {}

    public record Entitlements(List<Entitlement> entitlements) {}

    public record Subscription(String id, String store, String productId, String planId, String status, String statusReason,
                               Instant currentPeriodStart, Instant currentPeriodEnd, boolean cancelAtPeriodEnd, Instant graceUntil) {
        static Subscription of(SubscriptionEntity s) {
            return new Subscription(s.id.toString(), s.store, s.productId, s.planId, s.status, s.statusReason,
                    s.currentPeriodStart, s.currentPeriodEnd, s.cancelAtPeriodEnd, s.graceUntil);
        }
    }

    public record Subscriptions(List<Subscription> subscriptions) {}

    /** @param reused true when another device's open session for the same plan was handed out */
    public record Checkout(String sessionId, String url, String planId, String status, Instant expiresAt, boolean reused) {
        static Checkout of(CheckoutSessionEntity s, boolean reused) {
            return new Checkout(s.id, s.url, s.planId, s.status, s.expiresAt, reused);
        }
    }

    public record CheckoutRequest(String planId) {}

    public record WebhookAck(boolean received, String eventId, String outcome) {}
}
