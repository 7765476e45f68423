package io.continuum.e2e.state;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.continuum.events.CloudEvent;
import io.continuum.events.Topics;
import io.continuum.testing.DeviceRegistrations;
import io.continuum.testing.EventReader;
import io.continuum.testing.LocalStack;
import io.continuum.testing.Tokens;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Pause on the phone, resume on the laptop — through the gateway, with the event on state.events. */
class StateSyncE2ETest {

    @BeforeAll
    static void stack() {
        LocalStack.ensureFullStack();
    }

    @Test
    void pauseOnThePhoneResumeOnTheLaptop() {
        // two devices of alice, each its own sign-in, registered with auth-service
        Tokens.TokenSet alice = Tokens.signIn("alice", "alice");
        Tokens.TokenSet laptop = Tokens.signIn("alice", "alice");
        String r = UUID.randomUUID().toString().substring(0, 8);
        DeviceRegistrations.registerThroughGateway(alice, "phone-" + r);
        DeviceRegistrations.registerThroughGateway(laptop, "laptop-" + r);
        String content = "e2e-movie-" + r;
        long start = given().baseUri(LocalStack.GATEWAY_URL).auth().oauth2(laptop.accessToken()).header("X-Device-Id", "laptop-" + r)
                .get("/api/state/snapshot").then().statusCode(200).extract().jsonPath().getLong("revision");
        try (EventReader reader = new EventReader(Topics.STATE_EVENTS)) {
            Map<String, Object> op = Map.of("opId", "e2e-" + r, "kind", "playback.set", "contentId", content,
                    "positionMs", 754_321, "durationMs", 5_400_000, "state", "paused");
            JsonPath pushed = given().baseUri(LocalStack.GATEWAY_URL).auth().oauth2(alice.accessToken()).header("X-Device-Id", "phone-" + r)
                    .contentType(ContentType.JSON).body(Map.of("ops", List.of(op)))
                    .post("/api/state/ops").then().statusCode(200).extract().jsonPath();
            assertThat(pushed.getString("results[0].status")).isEqualTo("applied");
            long revision = pushed.getLong("results[0].revision");
            assertThat(revision).isGreaterThan(start);

            // the laptop resumes at the same millisecond, and its changes pull carries the phone's change
            given().baseUri(LocalStack.GATEWAY_URL).auth().oauth2(laptop.accessToken()).header("X-Device-Id", "laptop-" + r)
                    .get("/api/state/playback/" + content).then().statusCode(200)
                    .body("positionMs", equalTo(754_321)).body("deviceId", equalTo("phone-" + r));
            JsonPath changes = given().baseUri(LocalStack.GATEWAY_URL).auth().oauth2(alice.accessToken())
                    .queryParam("since", revision - 1).get("/api/state/changes").then().statusCode(200).extract().jsonPath();
            assertThat(changes.getString("changes[0].opId")).isEqualTo("e2e-" + r);

            // replaying the op (an offline queue flushed twice) changes nothing
            given().baseUri(LocalStack.GATEWAY_URL).auth().oauth2(alice.accessToken()).header("X-Device-Id", "phone-" + r)
                    .contentType(ContentType.JSON).body(Map.of("ops", List.of(op)))
                    .post("/api/state/ops").then().statusCode(200)
                    .body("results[0].status", equalTo("duplicate")).body("revision", equalTo((int) revision));

            List<EventReader.Received> events = reader.await(e -> e.subject().equals(alice.subject())
                    && e.data().path("opId").asText().equals("e2e-" + r), 1, Duration.ofSeconds(20));
            assertThat(events).hasSize(1);
            CloudEvent e = events.get(0).event();
            assertThat(e.type()).isEqualTo("continuum.playback.position-changed.v1");
            assertThat(e.revision()).isEqualTo(revision);
            assertThat(e.deviceid()).isEqualTo("phone-" + r);
            assertThat(e.data().path("positionMs").asLong()).isEqualTo(754_321);
        }
    }

    @Test
    void aWriteFromADeviceThatIsNotRegisteredIsRefusedThroughTheGateway() {
        Tokens.TokenSet bob = Tokens.signIn("bob", "bob");
        String r = UUID.randomUUID().toString().substring(0, 8);
        given().baseUri(LocalStack.GATEWAY_URL).auth().oauth2(bob.accessToken()).header("X-Device-Id", "ghost-" + r)
                .contentType(ContentType.JSON).body(Map.of("ops", List.of(Map.of("opId", "g-" + r, "kind", "inventory.grant",
                        "itemId", "apple", "quantity", 1, "reason", "e2e"))))
                .post("/api/state/ops").then().statusCode(403).contentType("application/problem+json")
                .body("type", equalTo("https://continuum.dev/problems/device-not-registered"));
        // registered, then written at once: accepted
        DeviceRegistrations.registerThroughGateway(bob, "tv-" + r);
        given().baseUri(LocalStack.GATEWAY_URL).auth().oauth2(bob.accessToken()).header("X-Device-Id", "tv-" + r)
                .contentType(ContentType.JSON).body(Map.of("ops", List.of(Map.of("opId", "t-" + r, "kind", "inventory.grant",
                        "itemId", "apple", "quantity", 1, "reason", "e2e"))))
                .post("/api/state/ops").then().statusCode(200).body("results[0].status", equalTo("applied"));
    }

    @Test
    void badInputThroughTheGatewayIsProblemJson() {
        String token = Tokens.accessToken("bob");
        given().baseUri(LocalStack.GATEWAY_URL).auth().oauth2(token).header("X-Device-Id", "tv-1")
                .contentType(ContentType.JSON).body("{\"ops\":[{\"opId\":\"x\",\"kind\":\"wallet.debit\",\"currency\":\"gold\",\"amount\":-3}]}")
                .post("/api/state/ops").then().statusCode(422).contentType("application/problem+json")
                .body("errors[0].field", equalTo("ops[0].amount"));
    }
}
