package io.continuum.billing;

import io.continuum.testing.ThrowAwayUsers;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.response.ValidatableResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * {@code POST /api/billing/webhooks/app_store}: App Store Server Notifications v2 signed by the provider simulator as
 * Apple signs them (ES256, x5c chain to the simulator's test root, which this service is configured to trust). A good
 * notification entitles the account its {@code appAccountToken} names; the same notification again has no second
 * effect; a refund revokes; every forged or foreign notification is refused with 400 problem+json and leaves nothing.
 */
@QuarkusTest
@QuarkusTestResource(value = Simulator.class, restrictToAnnotatedClass = false)
class AppStoreNotificationsTest {

    @RegisterExtension
    static final ThrowAwayUsers USERS = new ThrowAwayUsers("apple", "apple-forged");

    static String notification(String type, int status, String account, String original, String uuid, String extra) {
        return Simulator.appStoreNotification("{\"notificationType\":\"" + type + "\",\"status\":" + status + ",\"accountId\":\""
                + account + "\",\"productId\":\"io.continuum.premium.monthly\",\"originalTransactionId\":\"" + original
                + "\",\"notificationUUID\":\"" + uuid + "\"" + extra + "}");
    }

    static ValidatableResponse post(String body) {
        return given().contentType("application/json").body(body).post("/api/billing/webhooks/app_store").then();
    }

    @Test
    void aSignedPurchaseEntitlesTheAccountOnceAndARefundRevokesIt() {
        var user = USERS.get("apple");
        Billing api = new Billing(user.accessToken());
        String original = "apple-" + UUID.randomUUID();
        String uuid = UUID.randomUUID().toString();
        String subscribed = notification("SUBSCRIBED", 1, user.id(), original, uuid, "");
        post(subscribed).statusCode(200).body("outcome", equalTo("applied"));
        api.awaitEntitlement("premium", "active");
        assertThat(api.subscriptions().get(0).path("store").asText()).isEqualTo("app_store");

        // Apple resends the very same payload when it did not see a 2xx: no second effect
        post(subscribed).statusCode(200).body("outcome", equalTo("duplicate"));
        assertThat(api.subscriptions()).hasSize(1);

        post(notification("REFUND", 1, user.id(), original, UUID.randomUUID().toString(),
                ",\"signedDate\":" + (System.currentTimeMillis() + 1000))).statusCode(200).body("outcome", equalTo("applied"));
        api.awaitEntitlement("premium", "revoked");
    }

    @Test
    void forgedAndForeignNotificationsAreRefusedAndLeaveNothing() throws Throwable {
        var user = USERS.get("apple-forged");
        String original = "apple-forged-" + UUID.randomUUID();
        String uuid = UUID.randomUUID().toString();
        refused(notification("SUBSCRIBED", 1, user.id(), original, uuid, ",\"chain\":\"untrusted\""),
                "signedPayload", "trusted App Store root");
        refused(notification("SUBSCRIBED", 1, user.id(), original, uuid, ",\"chain\":\"unmarked\""),
                "signedPayload", "not an App Store signing certificate");

        String good = notification("SUBSCRIBED", 1, user.id(), original, uuid, "");
        String jws = good.substring(good.indexOf(":\"") + 2, good.lastIndexOf('"'));
        String[] parts = jws.split("\\.");
        // the payload changed after signing (another account), the signature kept
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"notificationUUID\"", "\"forged\":true,\"notificationUUID\"");
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8))
                + "." + parts[2];
        refused("{\"signedPayload\":\"" + tampered + "\"}", "signedPayload", "signature does not match");
        // the same header and chain, but "alg":"none" and no signature
        String header = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8).replace("ES256", "none");
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString(header.getBytes(StandardCharsets.UTF_8))
                + "." + parts[1] + ".";
        refused("{\"signedPayload\":\"" + none + "\"}", "signedPayload", "not a valid ES256 JWS");
        refused("{\"signedPayload\":\"\"}", "signedPayload", "is required");
        refused("{}", "signedPayload", "is required");
        // a genuine notification of another app
        post(notification("SUBSCRIBED", 1, user.id(), original, uuid, ",\"bundleId\":\"com.example.other\"")).statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("signedPayload.data.bundleId"));

        Long stored = VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(() -> Panache.getSession().chain(s -> s.createNativeQuery(
                "select (select count(*) from webhook_event where event_id = :e) + (select count(*) from processed_event where event_id = :e)"
                        + " + (select count(*) from subscription where provider_id = :s)", Long.class)
                .setParameter("e", uuid).setParameter("s", original).getSingleResult())));
        assertThat(stored).isZero();
        assertThat(new Billing(user.accessToken()).entitlement("premium").isMissingNode()).isTrue();

        // and the genuine one is then accepted: the refusals did not burn its id
        post(good).statusCode(200).body("outcome", equalTo("applied"));
    }

    static void refused(String body, String field, String detail) {
        post(body).statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo(field)).body("detail", containsString(detail));
    }
}
