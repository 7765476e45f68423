package io.continuum.e2e.billing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stands in for the provider in benchmarks: posts Stripe-signed webhooks to the gateway with the local endpoint
 * secret ({@code -Dbilling.webhook.secret}, default the local stack's {@code whsec_continuum_local}).
 */
public final class StripeWebhook {

    public static final String SECRET = System.getProperty("billing.webhook.secret", "whsec_continuum_local");
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private StripeWebhook() {
    }

    /** A {@code customer.subscription.*} event for {@code account}'s subscription {@code subId}. */
    public static String subscriptionEvent(String type, String eventId, long created, String subId, String account,
                                           String status, boolean cancelAtPeriodEnd, long periodEnd) {
        return "{\"id\":\"" + eventId + "\",\"object\":\"event\",\"type\":\"" + type + "\",\"created\":" + created
                + ",\"data\":{\"object\":{\"id\":\"" + subId + "\",\"object\":\"subscription\",\"customer\":\"cus_bench\","
                + "\"status\":\"" + status + "\",\"cancel_at_period_end\":" + cancelAtPeriodEnd + ",\"current_period_start\":"
                + (periodEnd - 2592000) + ",\"current_period_end\":" + periodEnd + ",\"metadata\":{\"account_id\":\"" + account
                + "\"},\"items\":{\"data\":[{\"price\":{\"id\":\"premium-monthly\"}}]}}}}";
    }

    public static HttpResponse<String> post(String baseUrl, String body) throws Exception {
        long t = System.currentTimeMillis() / 1000;
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String v1 = HexFormat.of().formatHex(mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8)));
        return HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/billing/webhooks/stripe"))
                .header("Content-Type", "application/json").header("Stripe-Signature", "t=" + t + ",v1=" + v1)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
