package io.continuum.billing;

import io.continuum.billing.domain.StripeSignature;
import io.continuum.testing.ThrowAwayUsers;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.response.ValidatableResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * {@code POST /api/billing/webhooks/stripe} signature checks, with webhooks signed here as Stripe signs them: every
 * kind of bad signature gets 400 problem+json naming {@code Stripe-Signature}, and the event (a subscription for a
 * throw-away account) leaves nothing behind: no stored event, no subscription.
 */
@QuarkusTest
@QuarkusTestResource(value = Simulator.class, restrictToAnnotatedClass = false)
class WebhookSignatureTest {

    @RegisterExtension
    static final ThrowAwayUsers USERS = new ThrowAwayUsers("sig");

    String account;
    String eventId;
    String subId;
    byte[] body;

    @BeforeEach
    void event() {
        account = USERS.get("sig").id();
        eventId = "evt_sig_" + UUID.randomUUID();
        subId = "sub_sig_" + UUID.randomUUID();
        long now = Instant.now().getEpochSecond();
        body = ("{\"id\":\"" + eventId + "\",\"object\":\"event\",\"type\":\"customer.subscription.created\",\"created\":" + now
                + ",\"data\":{\"object\":{\"id\":\"" + subId + "\",\"object\":\"subscription\",\"customer\":\"cus_sig\","
                + "\"status\":\"active\",\"cancel_at_period_end\":false,\"current_period_start\":" + now
                + ",\"current_period_end\":" + (now + 2592000) + ",\"metadata\":{\"account_id\":\"" + account + "\"},"
                + "\"items\":{\"data\":[{\"price\":{\"id\":\"premium-monthly\"}}]}}}}").getBytes(StandardCharsets.UTF_8);
    }

    ValidatableResponse post(String signature, byte[] payload) {
        var req = given().contentType("application/json").body(payload);
        if (signature != null) {
            req = req.header("Stripe-Signature", signature);
        }
        return req.post("/api/billing/webhooks/stripe").then();
    }

    String sign(long t, String... secrets) {
        return StripeSignature.sign(body, t, List.of(secrets));
    }

    void refused(String signature, byte[] payload, String detail) {
        post(signature, payload).statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("https://continuum.dev/problems/webhook-signature"))
                .body("errors[0].field", equalTo("Stripe-Signature"))
                .body("detail", containsString(detail));
    }

    @Test
    void everyBadSignatureKindIsRefusedAndNothingIsStored() throws Throwable {
        long now = Instant.now().getEpochSecond();
        String secret = Simulator.webhookSecret;
        refused(null, body, "missing");
        refused("garbage", body, "malformed");
        refused("v1=" + "ab".repeat(32), body, "no timestamp");
        refused("t=" + now, body, "no v1");
        refused("t=abc,v1=00", body, "not a number");
        refused("t=" + now + ",v1=zz", body, "not hex");
        refused(sign(now, "whsec_wrong"), body, "no v1 signature matches");
        byte[] tampered = new String(body, StandardCharsets.UTF_8).replace("\"active\"", "\"trialing\"").getBytes(StandardCharsets.UTF_8);
        refused(sign(now, secret), tampered, "no v1 signature matches");
        // 360 s, not 301: on a loaded machine the server reads its clock seconds after the test did
        refused(sign(now - 360, secret), body, "tolerance");
        refused(sign(now + 360, secret), body, "tolerance");
        Long stored = VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(() -> Panache.getSession().chain(s -> s.createNativeQuery(
                "select (select count(*) from webhook_event where event_id = :e) + (select count(*) from processed_event where event_id = :e)"
                        + " + (select count(*) from subscription where provider_id = :s)", Long.class)
                .setParameter("e", eventId).setParameter("s", subId).getSingleResult())));
        org.assertj.core.api.Assertions.assertThat(stored).as("rows left by refused webhooks").isZero();
        // the same event correctly signed is accepted: the refusals were about the signature alone
        post(sign(now, secret), body).statusCode(200).body("outcome", equalTo("applied"));
    }

    @Test
    void aSignatureWithinToleranceWithAnyConfiguredSecretOrAmongSeveralV1IsAccepted() {
        long now = Instant.now().getEpochSecond();
        post(sign(now - 250, "whsec_unknown", Simulator.webhookSecret), body).statusCode(200)
                .body("outcome", equalTo("applied")).body("eventId", equalTo(eventId));
        event();
        post(sign(now, Simulator.OLD_SECRET), body).statusCode(200).body("outcome", equalTo("applied"));
    }

    @Test
    void theSameSignedRequestAgainIsAReplayButAProviderRedeliveryIsADuplicate() {
        long now = Instant.now().getEpochSecond();
        String signature = sign(now, Simulator.webhookSecret);
        post(signature, body).statusCode(200).body("outcome", equalTo("applied"));
        post(signature, body).statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("https://continuum.dev/problems/webhook-replayed"));
        post(sign(now + 1, Simulator.webhookSecret), body).statusCode(200).body("outcome", equalTo("duplicate"));
    }

    @Test
    void unknownEventTypesAreAcknowledgedAndIgnored() {
        body = ("{\"id\":\"evt_" + UUID.randomUUID() + "\",\"type\":\"customer.tax_id.created\",\"created\":1,\"data\":{\"object\":{}}}")
                .getBytes(StandardCharsets.UTF_8);
        post(sign(Instant.now().getEpochSecond(), Simulator.webhookSecret), body).statusCode(200).body("outcome", equalTo("ignored"));
    }

    @Test
    void aSignedEventWithoutItsRequiredFieldsIsRefusedNamingTheField() {
        body = "{\"type\":\"invoice.paid\",\"created\":1,\"data\":{\"object\":{}}}".getBytes(StandardCharsets.UTF_8);
        post(sign(Instant.now().getEpochSecond(), Simulator.webhookSecret), body).statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("id"));
        body = "[1]".getBytes(StandardCharsets.UTF_8);
        post(sign(Instant.now().getEpochSecond(), Simulator.webhookSecret), body).statusCode(400).body("errors[0].field", equalTo("$"));
    }
}
