package io.continuum.platform.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.continuum.events.CloudEvent;
import io.continuum.events.EventCodec;
import io.continuum.events.EventTypes;
import io.continuum.events.Topics;
import io.continuum.events.auth.DeviceRevoked;
import io.continuum.platform.revocation.RevocationConsumer;
import io.continuum.testing.PrivateKafkaResource;
import io.continuum.testing.Tokens;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The verified-token cache on the real path: real Keycloak tokens, the real HTTP stack and quarkus-oidc, revocations
 * from a real Kafka broker. Nothing is faked.
 */
@QuarkusTest
@QuarkusTestResource(PrivateKafkaResource.class)
class VerifiedTokenCacheTest {

    @Inject
    VerifiedTokens verified;
    @Inject
    MeterRegistry registry;
    @Inject
    RevocationConsumer revocations;

    @Test
    void aVerifiedTokenIsServedFromTheCacheButNoTokenDifferingInOneByteIs() {
        String token = Tokens.signIn("alice", "alice").accessToken();
        given().auth().oauth2(token).get("/test/counters").then().statusCode(200);
        assertThat(verified.contains(token)).isTrue();
        double hits = hits();
        given().auth().oauth2(token).get("/test/counters").then().statusCode(200);
        assertThat(hits()).isEqualTo(hits + 1);

        String[] parts = token.split("\\.");
        List<String> forged = List.of(
                parts[0] + "." + parts[1] + "." + flip(parts[2], parts[2].length() / 2), // another signature
                parts[0] + "." + flip(parts[1], parts[1].length() / 2) + "." + parts[2], // a changed claim
                flip(parts[0], 5) + "." + parts[1] + "." + parts[2],                     // a changed header
                token.substring(0, token.length() - 1),                                  // a prefix of the cached token
                token + "A");                                                             // the cached token and more
        for (String f : forged) {
            given().auth().oauth2(f).get("/test/counters").then()
                    .statusCode(401)
                    .body("type", equalTo("https://continuum.dev/problems/unauthorized"));
            assertThat(verified.contains(f)).isFalse();
        }
        // the genuine token still works, from the cache
        given().auth().oauth2(token).get("/test/counters").then().statusCode(200);
        assertThat(hits()).isEqualTo(hits + 2);
    }

    @Test
    void aRevokedSessionIsRefusedThoughItsTokenIsCached() throws Exception {
        assertThat(revocations.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
        Tokens.TokenSet phone = Tokens.signIn("bob", "bob");
        given().auth().oauth2(phone.accessToken()).get("/test/counters").then().statusCode(200);
        assertThat(verified.contains(phone.accessToken())).isTrue();

        publish(CloudEvent.of(EventTypes.DEVICE_REVOKED, "/test", phone.subject(), "laptop-1", null,
                new DeviceRevoked("phone-1", List.of(phone.sessionId()), "lost")));

        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20)).untilAsserted(() ->
                given().auth().oauth2(phone.accessToken()).get("/test/counters").then().statusCode(401));
        double hits = hits();
        given().auth().oauth2(phone.accessToken()).get("/test/counters").then()
                .statusCode(401)
                .body("type", equalTo("https://continuum.dev/problems/session-revoked"));
        // refused on the cached path: the token is still kept, and this request was a hit
        assertThat(verified.contains(phone.accessToken())).isTrue();
        assertThat(hits()).isEqualTo(hits + 1);
    }

    @Test
    void aServiceAccountTokenIsRefusedEveryTimeThoughCached() {
        String service = Tokens.serviceToken();
        for (int i = 0; i < 2; i++) {
            given().auth().oauth2(service).get("/test/counters").then()
                    .statusCode(403)
                    .body("type", equalTo("https://continuum.dev/problems/user-token-required"));
        }
        assertThat(verified.contains(service)).isTrue();
    }

    private double hits() {
        return registry.get("continuum.security.verified.tokens").tag("result", "hit").counter().count();
    }

    /** {@code s} with the base64url character at {@code i} replaced by another one. */
    private static String flip(String s, int i) {
        char c = s.charAt(i);
        char other = c == 'A' ? 'B' : 'A';
        return s.substring(0, i) + other + s.substring(i + 1);
    }

    private static void publish(CloudEvent event) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, PrivateKafkaResource.broker().bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()))) {
            producer.send(new ProducerRecord<>(Topics.AUTH_EVENTS, event.key(), EventCodec.shared().encode(event))).get();
        }
    }
}
