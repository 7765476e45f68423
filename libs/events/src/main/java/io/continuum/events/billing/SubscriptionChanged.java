package io.continuum.events.billing;

import io.continuum.events.EventData;

import java.time.Instant;

/**
 * {@code continuum.billing.subscription-changed.v1}: one transition of a subscription's state machine
 * (trialing → active → past_due → canceled → expired; revoked on refund or dispute). Exactly one event per
 * transition, so a device can tell the user what happened (e.g. "fix your payment" on {@code past_due}).
 *
 * @param subscriptionId   billing-sync-service's subscription id
 * @param store            {@code stripe}, {@code app_store} or {@code play_store}
 * @param productId        catalog product
 * @param planId           catalog plan
 * @param status           the new status
 * @param previousStatus   the status before, {@code null} for a new subscription
 * @param currentPeriodEnd end of the paid period, may be {@code null}
 * @param graceUntil       while {@code past_due}: entitlements are kept until then; otherwise {@code null}
 * @param cause            what made the transition: {@code webhook}, {@code api}, {@code expiry} or {@code reconciliation}
 */
public record SubscriptionChanged(
        String subscriptionId,
        String store,
        String productId,
        String planId,
        String status,
        String previousStatus,
        Instant currentPeriodEnd,
        Instant graceUntil,
        String cause) implements EventData {
}
