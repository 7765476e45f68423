package io.continuum.billing;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuum.billing.api.EntitlementView;
import io.continuum.billing.domain.ExpirySweep;
import io.continuum.events.EventTypes;
import io.continuum.events.billing.EntitlementChanged;
import io.continuum.platform.entitlement.EntitlementConsumer;
import io.continuum.platform.outbox.Outbox;
import io.continuum.testing.ThrowAwayUsers;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /api/billing/entitlements} served from memory ({@link EntitlementView}) and still exact: every change
 * made in this process is in the very next read, a change made elsewhere (another replica) is in the read after its
 * event arrived, the ETag follows the body, and time passing is never served stale. Real PostgreSQL, Kafka and
 * Keycloak; webhooks signed here as the provider signs them.
 */
@QuarkusTest
@QuarkusTestResource(value = Simulator.class, restrictToAnnotatedClass = false)
class EntitlementViewTest {

    @RegisterExtension
    static final ThrowAwayUsers USERS = new ThrowAwayUsers("next", "cancel", "replica", "etag", "lapse");

    @Inject
    EntitlementConsumer consumer;
    @Inject
    MeterRegistry meters;
    @Inject
    Outbox outbox;
    @Inject
    ExpirySweep expiry;

    @BeforeEach
    void cachingOn() {
        Billing.useTestPort();
        Simulator.behaviour(false, false, false);
        // until the consumer of billing.events is positioned the view reads through; these tests are about the cache
        await().atMost(Duration.ofSeconds(30)).until(consumer::ready);
    }

    @AfterEach
    void resetClock() {
        TestClock.reset();
    }

    @Test
    void aWebhookChangeIsInTheVeryNextReadOfTheCachedView() {
        var user = USERS.get("next");
        Billing api = new Billing(user.accessToken());
        assertThat(api.entitlements()).isEmpty();
        double hits = hits();
        assertThat(api.entitlements()).isEmpty();
        assertThat(hits()).as("the second read is served from memory").isGreaterThan(hits);

        String sub = "sub_view_" + UUID.randomUUID();
        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        long t = start.getEpochSecond();
        Webhooks.subscription("created", sub, user.id(), "active", false, start, start.plus(Duration.ofDays(30)), t);
        JsonNode premium = api.entitlement("premium");
        assertThat(premium.path("active").asBoolean()).isTrue();
        assertThat(premium.path("state").asText()).isEqualTo("active");

        Webhooks.subscription("updated", sub, user.id(), "active", true, start, start.plus(Duration.ofDays(30)), t + 1);
        assertThat(api.entitlement("premium").path("state").asText()).isEqualTo("canceled");

        Webhooks.subscription("deleted", sub, user.id(), "canceled", true, start, start.plus(Duration.ofDays(30)), t + 2);
        JsonNode ended = api.entitlement("premium");
        assertThat(ended.path("active").asBoolean()).isFalse();
        assertThat(ended.path("state").asText()).isEqualTo("expired");
    }

    @Test
    void aCancelThroughTheApiIsInTheVeryNextRead() {
        var user = USERS.get("cancel");
        Billing api = new Billing(user.accessToken());
        api.buy("premium-monthly");
        api.awaitEntitlement("premium", "active");
        assertThat(api.entitlement("premium").path("state").asText()).isEqualTo("active"); // cached now
        api.cancel(api.subscriptions().get(0).path("id").asText()).then().statusCode(200);
        JsonNode canceled = api.entitlement("premium");
        assertThat(canceled.path("state").asText()).isEqualTo("canceled");
        assertThat(canceled.path("active").asBoolean()).isTrue();
    }

    @Test
    void aChangeMadeByAnotherReplicaIsServedOnceItsEventArrived() throws Throwable {
        var user = USERS.get("replica");
        Billing api = new Billing(user.accessToken());
        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Webhooks.subscription("created", "sub_replica_" + UUID.randomUUID(), user.id(), "active", false, start,
                start.plus(Duration.ofDays(30)), start.getEpochSecond());
        assertThat(api.entitlement("premium").path("active").asBoolean()).isTrue();
        assertThat(api.entitlement("premium").path("active").asBoolean()).isTrue(); // from memory

        // another replica revokes: its own transaction (not this process's write path) + its outbox event
        VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> Panache.getSession().chain(s -> s.createNativeQuery(
                        "update entitlement set active = false, state = 'revoked', reason = 'refunded', valid_until = null"
                                + " where account_id = :a and entitlement = 'premium'")
                .setParameter("a", user.id()).executeUpdate())
                .chain(() -> outbox.append(EventTypes.ENTITLEMENT_CHANGED, user.id(), null, null,
                        new EntitlementChanged("premium", false, "premium", null, "revoked", "refunded", null)))));

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> "revoked".equals(api.entitlement("premium").path("state").asText()));
        assertThat(api.entitlement("premium").path("active").asBoolean()).isFalse();
        assertThat(api.entitlement("premium").path("reason").asText()).isEqualTo("refunded");
    }

    @Test
    void theEtagChangesExactlyWhenTheBodyChangesAndIfNoneMatchAnswers304() {
        var user = USERS.get("etag");
        Billing api = new Billing(user.accessToken());
        Response first = api.entitlementsResponse();
        Response again = api.entitlementsResponse();
        String etag = first.then().statusCode(200).extract().header("ETag");
        assertThat(etag).matches("\"[0-9a-f]{32}\"");
        assertThat(again.header("ETag")).isEqualTo(etag);
        assertThat(again.asString()).isEqualTo(first.asString());
        notModified(user.accessToken(), etag, etag);
        notModified(user.accessToken(), "W/" + etag, etag);
        notModified(user.accessToken(), "\"other\", " + etag, etag);
        notModified(user.accessToken(), "*", etag);

        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String sub = "sub_etag_" + UUID.randomUUID();
        Webhooks.subscription("created", sub, user.id(), "active", false, start, start.plus(Duration.ofDays(30)), start.getEpochSecond());
        Response changed = given().auth().oauth2(user.accessToken()).header("If-None-Match", etag).get("/api/billing/entitlements");
        changed.then().statusCode(200);
        String etag2 = changed.header("ETag");
        assertThat(etag2).isNotEqualTo(etag);
        assertThat(changed.asString()).contains("\"premium\"");
        notModified(user.accessToken(), etag2, etag2);

        // a provider change that leaves the entitlements as they were keeps the ETag (and the body)
        Webhooks.subscription("updated", sub, user.id(), "active", false, start, start.plus(Duration.ofDays(30)), start.getEpochSecond() + 1);
        Response same = api.entitlementsResponse();
        assertThat(same.header("ETag")).isEqualTo(etag2);
        assertThat(same.asString()).isEqualTo(changed.asString());
    }

    @Test
    void anEntitlementPastItsEndIsNeverServedAsActiveFromMemory() {
        var user = USERS.get("lapse");
        Billing api = new Billing(user.accessToken());
        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String sub = "sub_lapse_" + UUID.randomUUID();
        Webhooks.subscription("created", sub, user.id(), "active", true, start, start.plus(Duration.ofDays(1)), start.getEpochSecond());
        JsonNode held = api.entitlement("premium");
        assertThat(held.path("state").asText()).isEqualTo("canceled");
        assertThat(held.path("active").asBoolean()).isTrue();
        String etag = api.entitlementsResponse().header("ETag");

        // the period ends; no sweep has run, nothing was written: the cached rows are rendered for the new instant
        TestClock.advance(Duration.ofDays(1).plusMinutes(1));
        Response lapsed = given().auth().oauth2(user.accessToken()).header("If-None-Match", etag).get("/api/billing/entitlements");
        lapsed.then().statusCode(200);
        assertThat(lapsed.header("ETag")).isNotEqualTo(etag);
        JsonNode premium = Billing.json(lapsed.asString()).path("entitlements").get(0);
        assertThat(premium.path("active").asBoolean()).isFalse();
        assertThat(premium.path("state").asText()).isEqualTo("expired");
        assertThat(premium.path("reason").asText()).isEqualTo("period-ended");

        // then the sweep writes it: the same state, now from the database
        assertThat(sweep()).isGreaterThanOrEqualTo(1);
        JsonNode swept = api.entitlement("premium");
        assertThat(swept.path("active").asBoolean()).isFalse();
        assertThat(swept.path("state").asText()).isEqualTo("expired");
        assertThat(swept.path("reason").asText()).isEqualTo("period-ended");
    }

    void notModified(String token, String ifNoneMatch, String etag) {
        given().auth().oauth2(token).header("If-None-Match", ifNoneMatch).get("/api/billing/entitlements")
                .then().statusCode(304).header("ETag", etag);
    }

    double hits() {
        return meters.get("cache.gets").tags("cache", EntitlementView.CACHE, "result", "hit").functionCounter().count();
    }

    int sweep() {
        try {
            return VertxContextSupport.subscribeAndAwait(() -> expiry.run());
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }
}
