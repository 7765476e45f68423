package io.continuum.billing;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuum.billing.domain.ExpirySweep;
import io.continuum.billing.domain.Reconciliation;
import io.continuum.events.CloudEvent;
import io.continuum.events.EventTypes;
import io.continuum.events.billing.EntitlementChanged;
import io.continuum.events.billing.SubscriptionChanged;
import io.continuum.testing.EventReader;
import io.continuum.testing.ThrowAwayUsers;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The subscription state machine end to end inside billing-sync-service: the simulator (a separate process) takes the
 * payment and sends signed webhooks; the effects are read back through the API (real Keycloak tokens) and as events
 * on the real {@code billing.events} topic. Each test uses its own throw-away account.
 */
@QuarkusTest
@QuarkusTestResource(value = Simulator.class, restrictToAnnotatedClass = false)
class SubscriptionLifecycleTest {

    @RegisterExtension
    static final ThrowAwayUsers USERS = new ThrowAwayUsers("buy", "dup", "ooo", "grace", "refund", "cancel", "recon");

    @Inject
    ExpirySweep expiry;
    @Inject
    Reconciliation reconciliation;
    @Inject
    MeterRegistry meters;

    @BeforeEach
    void webhooksHere() {
        Billing.useTestPort();
        Simulator.behaviour(false, false, false);
    }

    @AfterEach
    void normal() {
        Simulator.behaviour(false, false, false);
        TestClock.reset();
    }

    static Predicate<CloudEvent> of(String account, String type) {
        return e -> account.equals(e.subject()) && type.equals(e.type());
    }

    @Test
    void aPaidCheckoutEntitlesTheAccountAndPublishesEveryTransitionOnce() {
        var user = USERS.get("buy");
        Billing api = new Billing(user.accessToken());
        try (EventReader events = new EventReader("billing.events")) {
            JsonNode sub = api.buy("premium-monthly");
            JsonNode premium = api.awaitEntitlement("premium", "active");
            assertThat(premium.path("active").asBoolean()).isTrue();
            assertThat(premium.path("validUntil").asText()).isNotEmpty();
            assertThat(api.entitlement("ad-free").path("active").asBoolean()).isTrue();
            assertThat(api.entitlement("uhd").isMissingNode()).isTrue();

            List<EventReader.Received> all = events.await(e -> user.id().equals(e.subject()), 3, Duration.ofSeconds(20));
            all.addAll(events.await(e -> user.id().equals(e.subject()), 1, Duration.ofSeconds(2))); // nothing more expected
            List<EventReader.Received> ents = all.stream()
                    .filter(r -> r.event().type().equals(EventTypes.ENTITLEMENT_CHANGED.type())).toList();
            assertThat(ents).extracting(r -> r.event().dataAs(EventTypes.ENTITLEMENT_CHANGED).orElseThrow())
                    .extracting(EntitlementChanged::entitlement, EntitlementChanged::active, EntitlementChanged::state)
                    .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("premium", true, "active"),
                            org.assertj.core.groups.Tuple.tuple("ad-free", true, "active"));
            assertThat(ents).allSatisfy(r -> assertThat(r.key()).isEqualTo(user.id()));
            List<EventReader.Received> subs = all.stream()
                    .filter(r -> r.event().type().equals(EventTypes.SUBSCRIPTION_CHANGED.type())).toList();
            assertThat(subs).extracting(r -> r.event().dataAs(EventTypes.SUBSCRIPTION_CHANGED).orElseThrow().status())
                    .as("created as active once; invoice.paid changes nothing more").containsExactly("active");
            assertThat(api.subscriptions()).singleElement().satisfies(s -> {
                assertThat(s.path("status").asText()).isEqualTo("active");
                assertThat(s.path("planId").asText()).isEqualTo("premium-monthly");
            });
            assertThat(sub.path("id").asText()).startsWith("sub_");
        }
        // ETag: unchanged entitlements answer 304
        String etag = api.entitlementsResponse().then().statusCode(200).extract().header("ETag");
        io.restassured.RestAssured.given().auth().oauth2(user.accessToken()).header("If-None-Match", etag)
                .get("/api/billing/entitlements").then().statusCode(304);
    }

    @Test
    void duplicateWebhooksHaveOneEffect() {
        var user = USERS.get("dup");
        Billing api = new Billing(user.accessToken());
        Simulator.behaviour(true, false, false);
        try (EventReader events = new EventReader("billing.events")) {
            JsonNode sub = api.buy("premium-monthly");
            api.awaitEntitlement("premium", "active");
            Simulator.control("POST", "/subscriptions/" + sub.path("id").asText() + "/refund", "{}");
            api.awaitEntitlement("premium", "revoked");
            // every event was delivered twice and acknowledged twice
            await().atMost(Duration.ofSeconds(10)).until(() -> count(Simulator.deliveries(), "charge.refunded", 200) == 2);
            List<EventReader.Received> changes = events.await(of(user.id(), EventTypes.SUBSCRIPTION_CHANGED.type()), 3, Duration.ofSeconds(5));
            assertThat(changes).extracting(r -> r.event().dataAs(EventTypes.SUBSCRIPTION_CHANGED).orElseThrow().status())
                    .containsExactly("active", "revoked");
            assertThat(api.entitlement("premium").path("reason").asText()).isEqualTo("refunded");
        }
    }

    @Test
    void outOfOrderUpdatesNeverOverwriteANewerState() {
        var user = USERS.get("ooo");
        Billing api = new Billing(user.accessToken());
        JsonNode sub = api.buy("premium-monthly");
        api.awaitEntitlement("premium", "active");
        String id = sub.path("id").asText();
        Simulator.behaviour(false, true, false);
        // sent as: subscription.updated(past_due) first, then the older invoice.payment_failed
        Simulator.renew(id, "failed");
        api.awaitEntitlement("premium", "grace");
        // sent as: subscription.updated(active) first, then the older invoice.paid
        Simulator.renew(id, "paid");
        api.awaitEntitlement("premium", "active");
        await().atMost(Duration.ofSeconds(10)).until(() -> count(Simulator.deliveries(), "invoice.paid", 200) >= 2);
        assertThat(api.subscriptions().get(0).path("status").asText()).isEqualTo("active");
        // a stale event delivered again (the failed payment, older than everything) changes nothing
        JsonNode failed = null;
        for (JsonNode e : Simulator.json(Simulator.send("GET", "/sim/merchants/" + Simulator.apiKey + "/events", null))) {
            if ("invoice.payment_failed".equals(e.path("type").asText()) && id.equals(e.path("data").path("object").path("subscription").asText())) {
                failed = e;
            }
        }
        assertThat(failed).isNotNull();
        long before = count(Simulator.deliveries(), "invoice.payment_failed", 200);
        Simulator.control("POST", "/events/" + failed.path("id").asText() + "/resend", "{}");
        await().atMost(Duration.ofSeconds(10)).until(() -> count(Simulator.deliveries(), "invoice.payment_failed", 200) > before);
        assertThat(api.subscriptions().get(0).path("status").asText()).isEqualTo("active");
        assertThat(api.entitlement("premium").path("state").asText()).isEqualTo("active");
    }

    @Test
    void aFailedPaymentKeepsEntitlementsThroughGraceThenExpiresThem() {
        var user = USERS.get("grace");
        Billing api = new Billing(user.accessToken());
        JsonNode sub = api.buy("premium-monthly");
        api.awaitEntitlement("premium", "active");
        try (EventReader events = new EventReader("billing.events")) {
            Simulator.renew(sub.path("id").asText(), "failed");
            JsonNode grace = api.awaitEntitlement("premium", "grace");
            assertThat(grace.path("active").asBoolean()).isTrue();
            assertThat(grace.path("reason").asText()).isEqualTo("payment-failed");
            SubscriptionChanged pastDue = events.await(of(user.id(), EventTypes.SUBSCRIPTION_CHANGED.type()), 1, Duration.ofSeconds(10))
                    .get(0).event().dataAs(EventTypes.SUBSCRIPTION_CHANGED).orElseThrow();
            assertThat(pastDue.status()).isEqualTo("past_due");
            assertThat(pastDue.graceUntil()).isNotNull();

            sweep();
            assertThat(api.entitlement("premium").path("state").asText()).as("still within grace").isEqualTo("grace");

            TestClock.advance(Duration.ofDays(7).plusMinutes(1));
            assertThat(sweep()).isGreaterThanOrEqualTo(1);
            JsonNode expired = api.entitlement("premium");
            assertThat(expired.path("active").asBoolean()).isFalse();
            assertThat(expired.path("state").asText()).isEqualTo("expired");
            assertThat(expired.path("reason").asText()).isEqualTo("payment-not-recovered");
            assertThat(events.await(of(user.id(), EventTypes.ENTITLEMENT_CHANGED.type())
                    .and(e -> !e.dataAs(EventTypes.ENTITLEMENT_CHANGED).orElseThrow().active()), 2, Duration.ofSeconds(10))).hasSize(2);
        }
    }

    @Test
    void cancelKeepsEntitlementsUntilPeriodEndAndIsIdempotent() {
        var user = USERS.get("cancel");
        Billing api = new Billing(user.accessToken());
        api.buy("premium-monthly");
        api.awaitEntitlement("premium", "active");
        String id = api.subscriptions().get(0).path("id").asText();
        api.cancel(id).then().statusCode(200).body("status", org.hamcrest.Matchers.equalTo("canceled"))
                .body("cancelAtPeriodEnd", org.hamcrest.Matchers.equalTo(true));
        JsonNode canceled = api.entitlement("premium");
        assertThat(canceled.path("active").asBoolean()).isTrue();
        assertThat(canceled.path("state").asText()).isEqualTo("canceled");
        api.cancel(id).then().statusCode(200);
        TestClock.advance(Duration.ofDays(31));
        sweep();
        assertThat(api.entitlement("premium").path("state").asText()).isEqualTo("expired");
        api.cancel(id).then().statusCode(409).contentType("application/problem+json");
    }

    @Test
    void aMissedWebhookIsRepairedByReconciliation() {
        var user = USERS.get("recon");
        Billing api = new Billing(user.accessToken());
        JsonNode sub = api.buy("premium-monthly");
        api.awaitEntitlement("premium", "active");
        // the provider ends the subscription, and the webhook is lost
        Simulator.behaviour(false, false, true);
        Simulator.control("POST", "/subscriptions/" + sub.path("id").asText() + "/cancel-now", "{}");
        assertThat(api.entitlement("premium").path("state").asText()).isEqualTo("active");
        double before = meters.counter("continuum.billing.reconciliation.repairs", "kind", "state").count();
        try (EventReader events = new EventReader("billing.events")) {
            assertThat(reconcile()).isGreaterThanOrEqualTo(1);
            assertThat(api.entitlement("premium").path("active").asBoolean()).isFalse();
            assertThat(api.subscriptions().get(0).path("status").asText()).isEqualTo("expired");
            SubscriptionChanged repaired = events.await(of(user.id(), EventTypes.SUBSCRIPTION_CHANGED.type()), 1, Duration.ofSeconds(10))
                    .get(0).event().dataAs(EventTypes.SUBSCRIPTION_CHANGED).orElseThrow();
            assertThat(repaired.cause()).isEqualTo("reconciliation");
            assertThat(repaired.status()).isEqualTo("expired");
        }
        assertThat(meters.counter("continuum.billing.reconciliation.repairs", "kind", "state").count()).isGreaterThan(before);
        // a second pass finds nothing more to repair for this subscription
        double after = meters.counter("continuum.billing.reconciliation.repairs", "kind", "state").count();
        reconcile();
        assertThat(meters.counter("continuum.billing.reconciliation.repairs", "kind", "state").count()).isEqualTo(after);
    }

    int sweep() {
        try {
            return VertxContextSupport.subscribeAndAwait(() -> expiry.run());
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    int reconcile() {
        try {
            return VertxContextSupport.subscribeAndAwait(() -> reconciliation.run());
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    static long count(JsonNode deliveries, String type, int status) {
        long n = 0;
        for (JsonNode d : deliveries) {
            if (type.equals(d.path("type").asText()) && d.path("status").asInt() == status) {
                n++;
            }
        }
        return n;
    }
}
