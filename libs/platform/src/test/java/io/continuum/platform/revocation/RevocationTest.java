package io.continuum.platform.revocation;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.continuum.events.CloudEvent;
import io.continuum.events.EventCodec;
import io.continuum.events.EventTypes;
import io.continuum.events.Topics;
import io.continuum.events.auth.DeviceRevoked;
import io.continuum.events.auth.SessionEnded;
import io.continuum.events.auth.SignedOutEverywhere;
import io.continuum.testing.PrivateKafkaResource;
import io.continuum.testing.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.event.Event;
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

/** Revocation end to end inside one service: real Keycloak tokens, a real Kafka broker, the real HTTP stack. */
@QuarkusTest
@QuarkusTestResource(PrivateKafkaResource.class)
class RevocationTest {

    @Inject
    RecordedRevocations observed;
    @Inject
    RevokedSessions revokedSessions;
    @Inject
    RevocationConfig config;
    @Inject
    Event<SessionsRevoked> cdiEvent;
    @Inject
    RevocationConsumer consumer;

    @Test
    void revokedDeviceSessionIsRefusedWithinOneSecondWhileOtherSessionsWork() throws Exception {
        assertThat(consumer.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
        Tokens.TokenSet phone = Tokens.signIn("alice", "alice");
        Tokens.TokenSet laptop = Tokens.signIn("alice", "alice");
        given().auth().oauth2(phone.accessToken()).get("/test/counters").then().statusCode(200);

        publish(CloudEvent.of(EventTypes.DEVICE_REVOKED, "/test", phone.subject(), "laptop-1", null,
                new DeviceRevoked("phone-1", List.of(phone.sessionId()), "user-removed")));

        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20)).untilAsserted(() ->
                given().auth().oauth2(phone.accessToken()).get("/test/counters").then().statusCode(401));
        given().auth().oauth2(phone.accessToken()).get("/test/counters").then()
                .statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", "Bearer error=\"invalid_token\"")
                .body("status", equalTo(401))
                .body("type", equalTo("https://continuum.dev/problems/session-revoked"));
        given().auth().oauth2(laptop.accessToken()).get("/test/counters").then().statusCode(200);
        assertThat(observed.events()).anySatisfy(e -> {
            assertThat(e.accountId()).isEqualTo(phone.subject());
            assertThat(e.sessionIds()).containsExactly(phone.sessionId());
            assertThat(e.reason()).isEqualTo("device-revoked:user-removed");
        });
    }

    @Test
    void signedOutEverywhereAndSessionEndedRevokeEveryListedSessionAndFireOnce() throws Exception {
        assertThat(consumer.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
        Tokens.TokenSet a = Tokens.signIn("bob", "bob");
        Tokens.TokenSet b = Tokens.signIn("bob", "bob");
        Tokens.TokenSet c = Tokens.signIn("bob", "bob");
        CloudEvent everywhere = CloudEvent.of(EventTypes.SIGNED_OUT_EVERYWHERE, "/test", a.subject(), null, null,
                new SignedOutEverywhere(List.of(a.sessionId(), b.sessionId()), "tv-1", c.sessionId()));
        publish(everywhere);
        publish(everywhere); // redelivery: no second CDI event
        publish(CloudEvent.of(EventTypes.SESSION_ENDED, "/test", c.subject(), null, null,
                new SessionEnded(c.sessionId(), null, "backchannel-logout")));

        await().atMost(Duration.ofSeconds(2)).until(() -> revokedSessions.isRevoked(c.sessionId()));
        assertThat(revokedSessions.isRevoked(a.sessionId())).isTrue();
        assertThat(revokedSessions.isRevoked(b.sessionId())).isTrue();
        for (Tokens.TokenSet t : List.of(a, b, c)) {
            given().auth().oauth2(t.accessToken()).get("/test/counters").then().statusCode(401);
        }
        assertThat(observed.events().stream().filter(e -> e.sessionIds().contains(a.sessionId()))).hasSize(1);
        assertThat(observed.events()).anySatisfy(e -> assertThat(e.reason()).isEqualTo("session-ended:backchannel-logout"));
    }

    @Test
    void aFreshInstanceReadsBackRecentRevocations() throws Exception {
        String sid = "sid-" + java.util.UUID.randomUUID();
        publish(CloudEvent.of(EventTypes.DEVICE_REVOKED, "/test", "acct-fresh", null, null,
                new DeviceRevoked("tv-9", List.of(sid), "lost")));
        await().atMost(Duration.ofSeconds(2)).until(() -> revokedSessions.isRevoked(sid));

        // a second instance starting now (as a new replica would) knows it from the look-back read
        RevokedSessions fresh = new RevokedSessions(config, cdiEvent);
        RevocationConsumer freshConsumer = new RevocationConsumer(fresh, config,
                PrivateKafkaResource.broker().bootstrapServers(), "fresh-replica");
        freshConsumer.start(null);
        try {
            assertThat(freshConsumer.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            assertThat(fresh.isRevoked(sid)).isTrue();
        } finally {
            freshConsumer.stop(null);
        }
    }

    @Test
    void malformedAndForeignRecordsAreSkipped() throws Exception {
        assertThat(consumer.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
        try (KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(Topics.AUTH_EVENTS, "x", "not json".getBytes())).get();
        }
        String sid = "sid-" + java.util.UUID.randomUUID();
        publish(CloudEvent.of(EventTypes.DEVICE_REVOKED, "/test", "acct-x", null, null,
                new DeviceRevoked("tv-1", List.of(sid), "lost")));
        // the consumer survived the bad record and applied the next one
        await().atMost(Duration.ofSeconds(2)).until(() -> revokedSessions.isRevoked(sid));
    }

    @Test
    void tokensThatAreNotOursKeepThePlatformsBare401() {
        String[] bob = Tokens.accessToken("bob").split("\\.");
        String alicePayload = Tokens.accessToken("alice").split("\\.")[1];
        String none = base64Url("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + bob[1] + ".";
        for (String token : List.of(bob[0] + "." + alicePayload + "." + bob[2], none, "not-a-jwt")) {
            // the platform's answer for a bad token: 401 with nothing that says which check failed
            given().auth().oauth2(token).get("/test/counters").then()
                    .statusCode(401)
                    .body(org.hamcrest.Matchers.emptyOrNullString());
        }
    }

    private static String base64Url(String s) {
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes());
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, PrivateKafkaResource.broker().bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
    }

    private static void publish(CloudEvent event) throws Exception {
        try (KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(Topics.AUTH_EVENTS, event.key(), EventCodec.shared().encode(event))).get();
        }
    }
}
