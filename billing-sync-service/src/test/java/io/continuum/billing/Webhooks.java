package io.continuum.billing;

import io.continuum.billing.domain.StripeSignature;
import io.restassured.response.ValidatableResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;

/**
 * Signed Stripe subscription webhooks posted straight to the service under test, as the provider would send them
 * (test helper: no simulator round trip, so the test knows the webhook has been handled when the POST answers).
 */
final class Webhooks {

    private Webhooks() {
    }

    /**
     * Posts {@code customer.subscription.<kind>} for a {@code premium-monthly} subscription of {@code account}.
     *
     * @param created the event's provider time (orders changes of one subscription)
     */
    static ValidatableResponse subscription(String kind, String subId, String account, String status, boolean cancelAtPeriodEnd,
                                            Instant periodStart, Instant periodEnd, long created) {
        byte[] body = ("{\"id\":\"evt_" + UUID.randomUUID() + "\",\"object\":\"event\",\"type\":\"customer.subscription." + kind
                + "\",\"created\":" + created + ",\"data\":{\"object\":{\"id\":\"" + subId + "\",\"object\":\"subscription\","
                + "\"customer\":\"cus_" + account + "\",\"status\":\"" + status + "\",\"cancel_at_period_end\":" + cancelAtPeriodEnd
                + ",\"current_period_start\":" + periodStart.getEpochSecond() + ",\"current_period_end\":" + periodEnd.getEpochSecond()
                + ",\"metadata\":{\"account_id\":\"" + account + "\"},\"items\":{\"data\":[{\"price\":{\"id\":\"premium-monthly\"}}]}}}}")
                .getBytes(StandardCharsets.UTF_8);
        String signature = StripeSignature.sign(body, Instant.now().getEpochSecond(), List.of(Simulator.webhookSecret));
        return given().contentType("application/json").header("Stripe-Signature", signature).body(body)
                .post("/api/billing/webhooks/stripe").then().statusCode(200);
    }
}
