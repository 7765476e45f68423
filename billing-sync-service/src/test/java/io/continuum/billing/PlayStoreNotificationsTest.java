package io.continuum.billing;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuum.testing.ThrowAwayUsers;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import java.net.URL;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /api/billing/webhooks/play_store}: Google Play RTDN as Pub/Sub pushes them, sent by the provider
 * simulator (its OIDC push token, JWKS, OAuth token endpoint and Play Developer API stand in for Google's). A purchase
 * entitles the account its {@code obfuscatedExternalAccountId} names, the state read from the Play API; a redelivered
 * message has no second effect; a voided purchase revokes; a push without Google's signature, for another audience or
 * another app is refused with 400 problem+json and leaves nothing.
 */
@QuarkusTest
@QuarkusTestResource(value = Simulator.class, restrictToAnnotatedClass = false)
class PlayStoreNotificationsTest {

    @RegisterExtension
    static final ThrowAwayUsers USERS = new ThrowAwayUsers("play", "play-forged");

    @TestHTTPResource("/api/billing/webhooks/play_store")
    URL endpoint;

    JsonNode push(String account, String token, String extra) {
        return Simulator.playNotification("{\"url\":\"" + endpoint + "\",\"accountId\":\"" + account
                + "\",\"productId\":\"premium_monthly\",\"purchaseToken\":\"" + token + "\"" + extra + "}");
    }

    @Test
    void aPurchaseEntitlesTheAccountOnceAndAVoidedPurchaseRevokesIt() {
        var user = USERS.get("play");
        Billing api = new Billing(user.accessToken());
        String token = "play-" + UUID.randomUUID();
        JsonNode first = push(user.id(), token, ",\"notificationType\":4,\"messageId\":\"m-" + token + "\"");
        assertThat(first.path("status").asInt()).as(first.toString()).isEqualTo(200);
        assertThat(first.path("body").asText()).contains("\"outcome\":\"applied\"");
        api.awaitEntitlement("premium", "active");
        assertThat(api.subscriptions().get(0).path("store").asText()).isEqualTo("play_store");

        // Pub/Sub redelivers a message it saw no 2xx for: same messageId, no second effect
        JsonNode again = push(user.id(), token, ",\"notificationType\":4,\"messageId\":\"m-" + token + "\"");
        assertThat(again.path("body").asText()).contains("\"outcome\":\"duplicate\"");
        assertThat(api.subscriptions()).hasSize(1);

        JsonNode voided = push(user.id(), token, ",\"voided\":true,\"eventTimeMillis\":" + (System.currentTimeMillis() + 1000));
        assertThat(voided.path("body").asText()).contains("\"outcome\":\"applied\"");
        api.awaitEntitlement("premium", "revoked");
    }

    @Test
    void pushesNotFromGoogleForUsOrForThisAppAreRefusedAndLeaveNothing() throws Throwable {
        var user = USERS.get("play-forged");
        String token = "play-forged-" + UUID.randomUUID();
        String messageId = "m-" + token;
        refused(push(user.id(), token, ",\"messageId\":\"" + messageId + "\",\"signer\":\"forger\""), "Authorization", "not valid");
        refused(push(user.id(), token, ",\"messageId\":\"" + messageId + "\",\"signer\":\"none\""), "Authorization", "Bearer token");
        refused(push(user.id(), token, ",\"messageId\":\"" + messageId + "\",\"audience\":\"someone-else\""), "Authorization", "not valid");
        refused(push(user.id(), token, ",\"messageId\":\"" + messageId + "\",\"email\":\"intruder@example.com\""),
                "Authorization", "service account");
        refused(push(user.id(), token, ",\"messageId\":\"" + messageId + "\",\"packageName\":\"com.example.other\""),
                "message.data.packageName", "this service is for");

        Long stored = VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(() -> Panache.getSession().chain(s -> s.createNativeQuery(
                "select (select count(*) from webhook_event where event_id = :e) + (select count(*) from processed_event where event_id = :e)"
                        + " + (select count(*) from subscription where provider_id = :s)", Long.class)
                .setParameter("e", messageId).setParameter("s", token).getSingleResult())));
        assertThat(stored).isZero();
        assertThat(new Billing(user.accessToken()).entitlement("premium").isMissingNode()).isTrue();

        // the genuine push of that message is then accepted: the refusals did not burn its id
        assertThat(push(user.id(), token, ",\"messageId\":\"" + messageId + "\"").path("body").asText()).contains("\"outcome\":\"applied\"");
    }

    static void refused(JsonNode answer, String field, String detail) {
        assertThat(answer.path("status").asInt()).as(answer.toString()).isEqualTo(400);
        JsonNode problem;
        try {
            problem = Simulator.JSON.readTree(answer.path("body").asText());
        } catch (java.io.IOException e) {
            throw new AssertionError(answer.toString(), e);
        }
        assertThat(problem.path("errors").path(0).path("field").asText()).as(problem.toString()).isEqualTo(field);
        assertThat(problem.path("detail").asText()).contains(detail);
    }
}
