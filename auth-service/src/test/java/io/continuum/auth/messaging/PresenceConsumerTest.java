package io.continuum.auth.messaging;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.continuum.testing.TestUsers;
import io.continuum.events.CloudEvent;
import io.continuum.events.EventCodec;
import io.continuum.events.EventTypes;
import io.continuum.events.Topics;
import io.continuum.events.notification.PresenceChanged;
import io.continuum.testing.LocalStack;
import io.continuum.testing.LocalStackResource;
import io.continuum.testing.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Presence reported by notification-service on notification.events shows in the device list. */
@QuarkusTest
@QuarkusTestResource(LocalStackResource.class)
class PresenceConsumerTest {

    @Test
    void onlineAndOfflineReportsShowInTheDeviceListAndStaleOnesAreIgnored() throws Exception {
        TestUsers.User user = TestUsers.create("presence");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.KAFKA_BOOTSTRAP,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()))) {
            Tokens.TokenSet t = user.signIn();
            String id = "phone-" + UUID.randomUUID();
            given().auth().oauth2(t.accessToken()).contentType(ContentType.JSON)
                    .body(Map.of("deviceId", id, "kind", "phone", "platform", "ios", "displayName", "P"))
                    .post("/api/auth/devices").then().statusCode(201).body("online", nullValue());

            // the consumer group may still be joining: keep reporting (each report newer) until it shows
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                publish(producer, t.subject(), new PresenceChanged(id, true, Instant.now()));
                given().auth().oauth2(t.accessToken()).get("/api/auth/devices/" + id).then().statusCode(200)
                        .body("online", equalTo(true));
            });
            Instant offlineAt = Instant.now().plusMillis(5);
            publish(producer, t.subject(), new PresenceChanged(id, false, offlineAt));
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    given().auth().oauth2(t.accessToken()).get("/api/auth/devices/" + id).then().body("online", equalTo(false)));
            // a late, older "online" report does not win over the newer "offline"
            publish(producer, t.subject(), new PresenceChanged(id, true, offlineAt.minusSeconds(10)));
            String marker = "phone-" + UUID.randomUUID(); // a later report for another device proves the old one was consumed
            given().auth().oauth2(user.signIn().accessToken()).contentType(ContentType.JSON)
                    .body(Map.of("deviceId", marker, "kind", "phone", "platform", "ios", "displayName", "M"))
                    .post("/api/auth/devices").then().statusCode(201);
            publish(producer, t.subject(), new PresenceChanged(marker, true, Instant.now()));
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    given().auth().oauth2(t.accessToken()).get("/api/auth/devices/" + marker).then().body("online", equalTo(true)));
            given().auth().oauth2(t.accessToken()).get("/api/auth/devices/" + id).then().body("online", equalTo(false));
        } finally {
            user.delete();
        }
    }

    static void publish(KafkaProducer<String, byte[]> producer, String account, PresenceChanged p) throws Exception {
        CloudEvent e = CloudEvent.of(EventTypes.PRESENCE_CHANGED, "/test", account, p.deviceId(), null, p);
        producer.send(new ProducerRecord<>(Topics.NOTIFICATION_EVENTS, e.key(), EventCodec.shared().encode(e))).get();
    }
}
