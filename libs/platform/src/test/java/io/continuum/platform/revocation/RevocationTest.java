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
    void aFreshInstanceReadsBackUnconfirmedRevocationsAndRegisteredDevices() throws Exception {
        String sid = "sid-" + java.util.UUID.randomUUID();
        String unconfirmedOld = "sid-" + java.util.UUID.randomUUID();
        String confirmedOld = "sid-" + java.util.UUID.randomUUID();
        String tvSession = "sid-" + java.util.UUID.randomUUID();
        java.time.Instant anHourAgo = java.time.Instant.now().minus(Duration.ofHours(1));
        publish(CloudEvent.of(EventTypes.DEVICE_REVOKED, "/test", "acct-fresh", null, null,
                new DeviceRevoked("tv-9", List.of(sid), "lost")));
        // revoked an hour ago (past the 10-minute retention), Keycloak never confirmed: still refused
        publish(withTime(CloudEvent.of(EventTypes.DEVICE_REVOKED, "/test", "acct-fresh", null, null,
                new DeviceRevoked("tv-8", List.of(unconfirmedOld, confirmedOld), "lost")), anHourAgo));
        // ...except the one Keycloak confirmed an hour ago: forgotten
        publish(withTime(CloudEvent.of(EventTypes.REVOCATION_CONFIRMED, "/test", "acct-fresh", null, null,
                new io.continuum.events.auth.RevocationConfirmed(List.of(confirmedOld))), anHourAgo));
        publish(withTime(CloudEvent.of(EventTypes.DEVICE_REGISTERED, "/test", "acct-fresh", "tv-7", null,
                new io.continuum.events.auth.DeviceRegistered("tv-7", io.continuum.events.auth.DeviceKind.TV, "tizen", "TV",
                        tvSession)), anHourAgo));
        await().atMost(Duration.ofSeconds(2)).until(() -> revokedSessions.isRevoked(sid));

        // a second instance starting now (as a new replica would) knows them from reading the topic back
        RevokedSessions fresh = new RevokedSessions(config, cdiEvent);
        io.continuum.platform.devices.RegisteredDevices freshDevices =
                new io.continuum.platform.devices.RegisteredDevices(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        RevocationConsumer freshConsumer = new RevocationConsumer(fresh, freshDevices, config,
                io.continuum.platform.kafka.KafkaClientSettings.plaintext(PrivateKafkaResource.broker().bootstrapServers()), "fresh-replica", null);
        freshConsumer.start(null);
        try {
            assertThat(freshConsumer.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            assertThat(fresh.isRevoked(sid)).isTrue();
            assertThat(fresh.isRevoked(unconfirmedOld)).isTrue();
            assertThat(fresh.isRevoked(confirmedOld)).isFalse();
            assertThat(freshDevices.isBound("acct-fresh", tvSession, "tv-7")).isTrue();
            assertThat(freshDevices.isBound("acct-fresh", tvSession, "tv-6")).isFalse();
        } finally {
            freshConsumer.stop(null);
        }
    }

    private static CloudEvent withTime(CloudEvent e, java.time.Instant time) {
        return new CloudEvent(e.specversion(), e.id(), e.source(), e.type(), e.subject(), time, e.datacontenttype(),
                e.deviceid(), e.revision(), e.traceparent(), e.data());
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
    void everyBadTokenIsTheSame401ProblemWithTheRfc6750Challenge() {
        String[] bob = Tokens.accessToken("bob").split("\\.");
        String alicePayload = Tokens.accessToken("alice").split("\\.")[1];
        String none = base64Url("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + bob[1] + ".";
        for (String token : List.of(bob[0] + "." + alicePayload + "." + bob[2], none, "not-a-jwt")) {
            // nothing says which check failed
            given().auth().oauth2(token).get("/test/counters").then()
                    .statusCode(401)
                    .contentType("application/problem+json")
                    .header("WWW-Authenticate", "Bearer error=\"invalid_token\"")
                    .body("type", equalTo("https://continuum.dev/problems/unauthorized"))
                    .body("status", equalTo(401))
                    .body("detail", equalTo("a valid bearer token is required"));
        }
        // no token at all: RFC 6750 §3.1, a challenge without an error code
        given().get("/test/counters").then()
                .statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", "Bearer realm=\"continuum\"")
                .body("type", equalTo("https://continuum.dev/problems/unauthorized"));
    }

    @Test
    void aServiceAccountTokenIsNotAUserAccount() {
        // a real client_credentials token of the realm's service client: valid signature, the API audience, no sid
        given().auth().oauth2(Tokens.serviceToken()).get("/test/counters").then()
                .statusCode(403)
                .contentType("application/problem+json")
                .body("type", equalTo("https://continuum.dev/problems/user-token-required"));
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
