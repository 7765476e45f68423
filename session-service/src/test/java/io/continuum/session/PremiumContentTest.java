package io.continuum.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuum.events.CloudEvent;
import io.continuum.events.EventCodec;
import io.continuum.events.EventTypes;
import io.continuum.events.Topics;
import io.continuum.events.billing.EntitlementChanged;
import io.continuum.platform.entitlement.Entitlements;
import io.continuum.testing.LocalStack;
import io.continuum.testing.LocalStackResource;
import io.continuum.testing.DeviceRegistrations;
import io.continuum.testing.ThrowAwayUsers;
import io.continuum.testing.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code playback.set} on premium content ({@code continuum.catalog.premium-content=premium-*}) needs the
 * {@code premium} entitlement, checked against the local read model fed by the real {@code billing.events} topic
 * (this test publishes the entitlement events billing-sync-service would, with a plain producer).
 */
@QuarkusTest
@QuarkusTestResource(LocalStackResource.class)
class PremiumContentTest {

    @RegisterExtension
    static final ThrowAwayUsers USERS = new ThrowAwayUsers("prem");

    @Inject
    Entitlements entitlements;

    @Test
    void premiumContentIsRejectedWithoutPremiumAndPlaysOnceTheEntitlementArrives() throws Exception {
        var user = USERS.get("prem");
        Tokens.TokenSet signedIn = user.signIn();
        DeviceRegistrations.register(signedIn, "tv-1"); // writes need a registered device (auth.events, as auth-service would)
        String token = signedIn.accessToken();
        String r = UUID.randomUUID().toString().substring(0, 8);
        String movie = "premium-movie-" + r;

        JsonNode refused = push(token, "p1-" + r, movie);
        assertThat(refused.path("status").asText()).isEqualTo("rejected");
        assertThat(refused.path("reason").asText()).isEqualTo("entitlement-required");
        assertThat(refused.path("current").path("entitlement").asText()).isEqualTo("premium");
        assertThat(push(token, "f1-" + r, "free-movie-" + r).path("status").asText()).as("other content plays").isEqualTo("applied");

        publish(user.id(), new EntitlementChanged("premium", true, "premium", Instant.now().plus(Duration.ofDays(30)),
                "active", "subscription-active", "sub-" + r));
        await().atMost(Duration.ofSeconds(20)).until(() -> entitlements.has(user.id(), "premium"));
        assertThat(push(token, "p2-" + r, movie).path("status").asText()).isEqualTo("applied");

        publish(user.id(), new EntitlementChanged("premium", false, "premium", null, "revoked", "refunded", "sub-" + r));
        await().atMost(Duration.ofSeconds(20)).until(() -> !entitlements.has(user.id(), "premium"));
        assertThat(push(token, "p3-" + r, movie).path("reason").asText()).isEqualTo("entitlement-required");
    }

    static JsonNode push(String token, String opId, String contentId) {
        Map<String, Object> op = Map.of("opId", opId, "kind", "playback.set", "contentId", contentId, "positionMs", 1000,
                "durationMs", 100_000, "state", "playing");
        String body = given().auth().oauth2(token).header("X-Device-Id", "tv-1").contentType(ContentType.JSON)
                .body(Map.of("ops", List.of(op))).post("/api/state/ops").then().statusCode(200).extract().asString();
        try {
            return Device.JSON.readTree(body).path("results").get(0);
        } catch (Exception e) {
            throw new AssertionError(body, e);
        }
    }

    static void publish(String account, EntitlementChanged data) throws Exception {
        CloudEvent event = CloudEvent.of(EventTypes.ENTITLEMENT_CHANGED, "/test", account, null, null, data);
        Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.KAFKA_BOOTSTRAP,
                ProducerConfig.ACKS_CONFIG, "all");
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.BILLING_EVENTS, account, EventCodec.shared().encode(event))).get();
        }
    }
}
