package io.continuum.billing.provider;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A subscription as the provider sees it (a Stripe {@code subscription} object).
 *
 * @param accountId from the subscription's {@code metadata.account_id} (set at checkout), may be {@code null}
 * @param status    the provider's status string ({@code active}, {@code past_due}, {@code canceled}, …)
 */
public record ProviderSubscription(String providerId, String customerId, String accountId, String planId, String status,
                                   Instant currentPeriodStart, Instant currentPeriodEnd, boolean cancelAtPeriodEnd) {

    /** Reads a Stripe {@code subscription} object; the plan is {@code items.data[0].price.id} (or {@code plan.id}). */
    public static ProviderSubscription fromStripe(JsonNode o) {
        String plan = o.path("items").path("data").path(0).path("price").path("id").asText(null);
        if (plan == null) {
            plan = o.path("plan").path("id").asText(null);
        }
        return new ProviderSubscription(o.path("id").asText(null), o.path("customer").asText(null),
                o.path("metadata").path("account_id").asText(null), plan, o.path("status").asText(null),
                epoch(o.get("current_period_start")), epoch(o.get("current_period_end")),
                o.path("cancel_at_period_end").asBoolean(false));
    }

    static Instant epoch(JsonNode n) {
        return n == null || !n.canConvertToLong() ? null : Instant.ofEpochSecond(n.asLong());
    }
}
