package io.continuum.platform;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.continuum.events.CloudEvent;
import io.continuum.events.EventCodec;
import io.continuum.events.EventTypes;
import io.continuum.events.Topics;
import io.continuum.events.auth.DeviceRevoked;
import io.continuum.platform.devices.RegisteredDevices;
import io.continuum.platform.revocation.RevocationConsumer;
import io.continuum.testing.DeviceRegistrations;
import io.continuum.testing.PrivateKafkaResource;
import io.continuum.testing.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The registered-devices read model and the device check of writes: real Keycloak tokens, a real (private) Kafka
 * broker carrying the {@code auth.events} registrations, the real HTTP stack.
 */
@QuarkusTest
@QuarkusTestResource(PrivateKafkaResource.class)
class DeviceBindingTest {

    @Inject
    RegisteredDevices devices;
    @Inject
    RevocationConsumer consumer;

    @BeforeEach
    void caughtUp() throws Exception {
        assertThat(consumer.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
    }

    static String newId(String kind) {
        return kind + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static Response write(Tokens.TokenSet t, String device) {
        return given().auth().oauth2(t.accessToken()).header("X-Device-Id", device).post("/test/counters/device-write");
    }

    static void register(Tokens.TokenSet t, String device) {
        DeviceRegistrations.register(PrivateKafkaResource.broker().bootstrapServers(), t, device);
    }

    @Test
    void anUnregisteredDeviceIsRefusedWithAProblemThatSaysRegister() {
        Tokens.TokenSet alice = Tokens.signIn("alice", "alice");
        write(alice, newId("phone")).then()
                .statusCode(403)
                .contentType("application/problem+json")
                .body("type", equalTo("https://continuum.dev/problems/device-not-registered"))
                .body("errors[0].field", equalTo("X-Device-Id"));
    }

    @Test
    void onlyTheDeviceBoundToTheSessionOfTheAccountMayWrite() {
        Tokens.TokenSet phone = Tokens.signIn("alice", "alice");
        Tokens.TokenSet laptop = Tokens.signIn("alice", "alice");
        Tokens.TokenSet bob = Tokens.signIn("bob", "bob");
        String phoneId = newId("phone");
        register(phone, phoneId);
        await().atMost(Duration.ofSeconds(5)).until(() -> devices.isBound(phone.subject(), phone.sessionId(), phoneId));

        write(phone, phoneId).then().statusCode(200).body("device", equalTo(phoneId));
        // the same account's other session naming the phone: not its device
        write(laptop, phoneId).then().statusCode(403);
        // another account naming alice's device id
        write(bob, phoneId).then().statusCode(403);
    }

    @Test
    void aDeviceThatRegistersAndWritesAtOnceIsNotRefusedWhileTheRegistrationIsOnItsWay() throws Exception {
        Tokens.TokenSet tv = Tokens.signIn("alice", "alice");
        String tvId = newId("tv");
        // the write arrives first (the registration event has not reached this instance yet)...
        CompletableFuture<Response> pending = CompletableFuture.supplyAsync(() -> write(tv, tvId));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                .until(() -> devices.waiting() > 0 || pending.isDone());
        assertThat(pending.isDone()).as("the write waited for its registration").isFalse();
        // ...and the registration follows a moment later
        register(tv, tvId);
        Response r = pending.get();
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
    }

    @Test
    void aRevokedDeviceIsNoLongerRegistered() throws Exception {
        Tokens.TokenSet console = Tokens.signIn("bob", "bob");
        String consoleId = newId("console");
        register(console, consoleId);
        await().atMost(Duration.ofSeconds(5)).until(() -> devices.isBound(console.subject(), console.sessionId(), consoleId));
        CloudEvent revoked = CloudEvent.of(EventTypes.DEVICE_REVOKED, "/test", console.subject(), null, null,
                new DeviceRevoked(consoleId, List.of(console.sessionId()), "lost"));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, PrivateKafkaResource.broker().bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()))) {
            producer.send(new ProducerRecord<>(Topics.AUTH_EVENTS, revoked.key(), EventCodec.shared().encode(revoked))).get();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> !devices.isBound(console.subject(), console.sessionId(), consoleId));
    }
}
