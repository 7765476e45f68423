package io.continuum.events.billing;

import io.continuum.events.EventData;

import java.time.Instant;

/**
 * {@code continuum.billing.entitlement-changed.v1}: an entitlement of the account changed: gained, lost, or held in
 * another state (e.g. kept in a payment grace period). The latest event per (account, entitlement) is the current
 * state, so a consumer can keep a local read model (libs/platform {@code Entitlements}).
 *
 * @param entitlement    what the account may use, e.g. {@code premium}
 * @param active         whether it is in force now
 * @param productId      the billed product that grants (or granted) it
 * @param expiresAt      when it lapses ({@code validUntil}), or {@code null} when open-ended or not held
 * @param state          {@code trialing}, {@code active}, {@code grace} (payment failed, kept), {@code canceled}
 *                       (kept until period end), {@code expired} or {@code revoked} (refund, dispute); may be absent
 *                       in events of older producers
 * @param reason         why it is held or lost, e.g. {@code subscription-active}, {@code payment-failed},
 *                       {@code refunded}; may be {@code null}
 * @param subscriptionId the billing subscription behind it, may be {@code null}
 */
public record EntitlementChanged(
        String entitlement,
        boolean active,
        String productId,
        Instant expiresAt,
        String state,
        String reason,
        String subscriptionId) implements EventData {

    /** The v1 fields every producer sends (state, reason and subscription were added later). */
    public EntitlementChanged(String entitlement, boolean active, String productId, Instant expiresAt) {
        this(entitlement, active, productId, expiresAt, null, null, null);
    }
}
