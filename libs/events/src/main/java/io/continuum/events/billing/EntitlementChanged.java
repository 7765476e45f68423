package io.continuum.events.billing;

import io.continuum.events.EventData;

import java.time.Instant;

/**
 * {@code continuum.billing.entitlement-changed.v1}: the account gained or lost an entitlement.
 *
 * @param entitlement what the account may use, e.g. {@code premium}
 * @param active      whether it is in force now
 * @param productId   the billed product that grants it
 * @param expiresAt   when it lapses, or {@code null} when open-ended
 */
public record EntitlementChanged(
        String entitlement,
        boolean active,
        String productId,
        Instant expiresAt) implements EventData {
}
