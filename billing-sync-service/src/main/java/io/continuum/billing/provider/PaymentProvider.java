package io.continuum.billing.provider;

import io.smallrye.mutiny.Uni;
import java.util.List;

/**
 * The payment provider as billing-sync-service uses it (a Stripe-compatible API; locally the simulator). Every call
 * may fail with {@link ProviderUnavailable}.
 */
public interface PaymentProvider {

    /** The store this provider stands for, e.g. {@code stripe}. */
    String store();

    /**
     * Creates a checkout session for a subscription to {@code planId}.
     *
     * @param customerId     the account's provider customer id, or {@code null} for a first purchase
     * @param idempotencyKey the provider de-duplicates creations with the same key
     */
    Uni<CheckoutCreated> createCheckout(String accountId, String customerId, String planId, String idempotencyKey);

    Uni<ProviderSubscription> subscription(String providerId);

    /** Cancels at the end of the paid period ({@code cancel_at_period_end=true}). */
    Uni<ProviderSubscription> cancelAtPeriodEnd(String providerId);

    /** Every subscription the provider has for this merchant (all pages), for reconciliation. */
    Uni<List<ProviderSubscription>> listSubscriptions();

    /** The provider could not be reached or answered with an error. */
    final class ProviderUnavailable extends RuntimeException {
        public ProviderUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
