package io.continuum.billing.provider;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuum.billing.config.BillingConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/** {@link PaymentProvider} over a Stripe-compatible REST API (the simulator locally). */
@ApplicationScoped
public class StripeProvider implements PaymentProvider {

    static final int PAGE = 100;

    private final StripeApi api;
    private final BillingConfig config;

    public StripeProvider(@RestClient StripeApi api, BillingConfig config) {
        this.api = api;
        this.config = config;
    }

    @Override
    public String store() {
        return "stripe";
    }

    @Override
    public Uni<CheckoutCreated> createCheckout(String accountId, String customerId, String planId, String idempotencyKey) {
        MultivaluedMap<String, String> form = new MultivaluedHashMap<>();
        form.add("mode", "subscription");
        form.add("line_items[0][price]", planId);
        form.add("line_items[0][quantity]", "1");
        form.add("client_reference_id", accountId);
        form.add("subscription_data[metadata][account_id]", accountId);
        form.add("success_url", config.stripe().successUrl());
        if (customerId != null) {
            form.add("customer", customerId);
        }
        return guard("create a checkout session", api.createCheckoutSession(auth(), idempotencyKey, form))
                .map(o -> new CheckoutCreated(o.path("id").asText(), o.path("url").asText(),
                        Instant.ofEpochSecond(o.path("expires_at").asLong())));
    }

    @Override
    public Uni<ProviderSubscription> subscription(String providerId) {
        return guard("read subscription " + providerId, api.subscription(auth(), providerId)).map(ProviderSubscription::fromStripe);
    }

    @Override
    public Uni<ProviderSubscription> cancelAtPeriodEnd(String providerId) {
        MultivaluedMap<String, String> form = new MultivaluedHashMap<>();
        form.add("cancel_at_period_end", "true");
        return guard("cancel subscription " + providerId, api.updateSubscription(auth(), providerId, form))
                .map(ProviderSubscription::fromStripe);
    }

    @Override
    public Uni<List<ProviderSubscription>> listSubscriptions() {
        return page(new ArrayList<>(), null);
    }

    private Uni<List<ProviderSubscription>> page(List<ProviderSubscription> acc, String after) {
        return guard("list subscriptions", api.listSubscriptions(auth(), "all", PAGE, after)).chain(list -> {
            JsonNode data = list.path("data");
            data.forEach(o -> acc.add(ProviderSubscription.fromStripe(o)));
            if (list.path("has_more").asBoolean(false) && data.size() > 0) {
                return page(acc, data.get(data.size() - 1).path("id").asText());
            }
            return Uni.createFrom().item(acc);
        });
    }

    private String auth() {
        return "Bearer " + config.stripe().apiKey();
    }

    private static <T> Uni<T> guard(String what, Uni<T> call) {
        return call.onFailure().transform(e -> new ProviderUnavailable("payment provider: cannot " + what + ": " + e.getMessage(), e));
    }
}
