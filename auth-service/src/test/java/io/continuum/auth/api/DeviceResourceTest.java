package io.continuum.auth.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

import io.continuum.testing.TestUsers;
import io.continuum.events.EventTypes;
import io.continuum.events.Topics;
import io.continuum.events.auth.DeviceKind;
import io.continuum.events.auth.DeviceRegistered;
import io.continuum.events.auth.DeviceSignedIn;
import io.continuum.testing.EventReader;
import io.continuum.testing.LocalStackResource;
import io.continuum.testing.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Register, list, rename; validation; isolation between accounts; rate limit. Real Keycloak, Kafka, PostgreSQL. */
@QuarkusTest
@QuarkusTestResource(LocalStackResource.class)
class DeviceResourceTest {

    static TestUsers.User ann;
    static TestUsers.User ben;

    @BeforeAll
    static void users() {
        ann = TestUsers.create("ann");
        ben = TestUsers.create("ben");
    }

    @AfterAll
    static void cleanUp() {
        ann.delete();
        ben.delete();
    }

    static Map<String, Object> device(String id, String kind, String name) {
        return Map.of("deviceId", id, "kind", kind, "platform", "ios", "displayName", name);
    }

    static String newId() {
        return "dev-" + UUID.randomUUID();
    }

    @Test
    void registerIsIdempotentPublishesOnceAndListShowsTheCallingDevice() {
        Tokens.TokenSet phone = ann.signIn();
        String id = newId();
        try (EventReader events = new EventReader(Topics.AUTH_EVENTS)) {
            given().auth().oauth2(phone.accessToken()).contentType(ContentType.JSON)
                    .body(device(id, "phone", "Ann's phone"))
                    .post("/api/auth/devices").then().statusCode(201)
                    .header("Location", "/api/auth/devices/" + id)
                    .body("deviceId", equalTo(id)).body("kind", equalTo("phone"))
                    .body("current", equalTo(true)).body("signedInAt", notNullValue());
            given().auth().oauth2(phone.accessToken()).contentType(ContentType.JSON)
                    .body(device(id, "phone", "Ann's phone"))
                    .post("/api/auth/devices").then().statusCode(200).body("deviceId", equalTo(id));

            var registered = events.await(e -> id.equals(e.deviceid()), 2, Duration.ofSeconds(5));
            assertThat(registered).hasSize(1);
            assertThat(registered.get(0).key()).isEqualTo(phone.subject());
            assertThat(registered.get(0).event().dataAs(EventTypes.DEVICE_REGISTERED)).contains(
                    new DeviceRegistered(id, DeviceKind.PHONE, "ios", "Ann's phone", phone.sessionId()));
        }

        Tokens.TokenSet laptop = ann.signIn();
        String laptopId = newId();
        given().auth().oauth2(laptop.accessToken()).contentType(ContentType.JSON)
                .body(device(laptopId, "desktop", "Work laptop")).post("/api/auth/devices").then().statusCode(201);

        List<Map<String, Object>> list = given().auth().oauth2(phone.accessToken()).get("/api/auth/devices")
                .then().statusCode(200).extract().jsonPath().getList("$");
        assertThat(list).extracting(m -> m.get("deviceId")).contains(id, laptopId);
        assertThat(list).filteredOn(m -> id.equals(m.get("deviceId")))
                .singleElement().satisfies(m -> assertThat(m.get("current")).isEqualTo(true));
        assertThat(list).filteredOn(m -> laptopId.equals(m.get("deviceId")))
                .singleElement().satisfies(m -> {
                    assertThat(m.get("current")).isEqualTo(false);
                    assertThat(m.get("kind")).isEqualTo("desktop");
                    assertThat(m).containsKeys("lastSeenAt", "signedInAt", "online");
                });
    }

    @Test
    void concurrentFirstRegistrationsOfOneDeviceCreateItOnce() throws Exception {
        Tokens.TokenSet t = ben.signIn(); // ann's registrations are counted by the rate limit already
        String id = newId();
        try (EventReader events = new EventReader(Topics.AUTH_EVENTS)) {
            var pool = java.util.concurrent.Executors.newFixedThreadPool(6);
            try {
                List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    answers.add(pool.submit(() -> given().auth().oauth2(t.accessToken()).contentType(ContentType.JSON)
                            .body(device(id, "tablet", "Tab")).post("/api/auth/devices").statusCode()));
                }
                List<Integer> codes = new java.util.ArrayList<>();
                for (var a : answers) {
                    codes.add(a.get());
                }
                assertThat(codes).containsOnly(200, 201);
                assertThat(codes).filteredOn(c -> c == 201).hasSize(1);
            } finally {
                pool.shutdown();
            }
            assertThat(events.await(e -> id.equals(e.deviceid()), 2, Duration.ofSeconds(4))).hasSize(1);
        }
    }

    @Test
    void aKnownDeviceWithANewSessionIsASignIn() {
        String id = newId();
        Tokens.TokenSet first = ann.signIn();
        given().auth().oauth2(first.accessToken()).contentType(ContentType.JSON)
                .body(device(id, "tv", "Living room")).post("/api/auth/devices").then().statusCode(201);
        Tokens.TokenSet second = ann.signIn();
        try (EventReader events = new EventReader(Topics.AUTH_EVENTS)) {
            given().auth().oauth2(second.accessToken()).contentType(ContentType.JSON)
                    .body(device(id, "tv", "Living room")).post("/api/auth/devices").then().statusCode(200)
                    .body("current", equalTo(true));
            var signedIn = events.await(e -> id.equals(e.deviceid()), 1, Duration.ofSeconds(5));
            assertThat(signedIn).hasSize(1);
            assertThat(signedIn.get(0).event().dataAs(EventTypes.DEVICE_SIGNED_IN))
                    .contains(new DeviceSignedIn(id, second.sessionId()));
        }
    }

    @Test
    void oneSessionCannotBeBoundToTwoDevices() {
        Tokens.TokenSet t = ann.signIn();
        given().auth().oauth2(t.accessToken()).contentType(ContentType.JSON)
                .body(device(newId(), "phone", "A")).post("/api/auth/devices").then().statusCode(201);
        given().auth().oauth2(t.accessToken()).contentType(ContentType.JSON)
                .body(device(newId(), "phone", "B")).post("/api/auth/devices").then().statusCode(409)
                .contentType("application/problem+json").body("errors[0].field", equalTo("deviceId"));
    }

    @Test
    void renameChangesOnlyTheName() {
        Tokens.TokenSet t = ann.signIn();
        String id = newId();
        given().auth().oauth2(t.accessToken()).contentType(ContentType.JSON)
                .body(device(id, "console", "Console")).post("/api/auth/devices").then().statusCode(201);
        given().auth().oauth2(t.accessToken()).contentType(ContentType.JSON)
                .body(Map.of("displayName", "Den console ✓")).patch("/api/auth/devices/" + id)
                .then().statusCode(200).body("displayName", equalTo("Den console ✓")).body("kind", equalTo("console"));
        given().auth().oauth2(t.accessToken()).get("/api/auth/devices/" + id)
                .then().statusCode(200).body("displayName", equalTo("Den console ✓"));
    }

    @Test
    void anotherAccountsDeviceIsNotFoundForEveryVerb() {
        Tokens.TokenSet annT = ann.signIn();
        String id = newId();
        given().auth().oauth2(annT.accessToken()).contentType(ContentType.JSON)
                .body(device(id, "phone", "Ann's")).post("/api/auth/devices").then().statusCode(201);
        String benToken = ben.signIn().accessToken();
        given().auth().oauth2(benToken).get("/api/auth/devices/" + id).then().statusCode(404)
                .contentType("application/problem+json");
        given().auth().oauth2(benToken).contentType(ContentType.JSON).body(Map.of("displayName", "mine now"))
                .patch("/api/auth/devices/" + id).then().statusCode(404);
        given().auth().oauth2(benToken).delete("/api/auth/devices/" + id).then().statusCode(404);
        given().auth().oauth2(benToken).get("/api/auth/devices").then().statusCode(200)
                .body("deviceId", org.hamcrest.Matchers.not(hasItem(id)));
        // and ann's device is untouched
        given().auth().oauth2(annT.accessToken()).get("/api/auth/devices/" + id).then().statusCode(200)
                .body("displayName", equalTo("Ann's"));
        // the same id unknown to anyone is the same answer
        given().auth().oauth2(benToken).get("/api/auth/devices/" + newId()).then().statusCode(404);
    }

    @Test
    void everyFieldIsValidatedAndNamed() {
        String token = ann.signIn().accessToken();
        record Case(Map<String, Object> body, String field) {}
        String longName = "x".repeat(81);
        for (Case c : List.of(
                new Case(device(newId(), "fridge", "x"), "kind"),
                new Case(device("has space", "phone", "x"), "deviceId"),
                new Case(device("d".repeat(65), "phone", "x"), "deviceId"),
                new Case(device(newId(), "phone", longName), "displayName"),
                new Case(device(newId(), "phone", "tab\there"), "displayName"),
                new Case(device(newId(), "phone", "   "), "displayName"),
                new Case(Map.of("deviceId", newId(), "kind", "phone", "platform", "iOS 17!", "displayName", "x"), "platform"),
                new Case(Map.of("deviceId", newId(), "platform", "ios", "displayName", "x"), "kind"))) {
            given().auth().oauth2(token).contentType(ContentType.JSON).body(c.body())
                    .post("/api/auth/devices").then().statusCode(422)
                    .contentType("application/problem+json")
                    .body("errors.field", hasItem(c.field()));
        }
        given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"deviceId\": [1]}")
                .post("/api/auth/devices").then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("deviceId"));
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("displayName", ""))
                .patch("/api/auth/devices/" + newId()).then().statusCode(422).body("errors.field", hasItem("displayName"));
        given().auth().oauth2(token).delete("/api/auth/devices/" + newId() + "?reason=whatever").then().statusCode(422)
                .body("errors.field", hasItem("reason"));
    }

    @Test
    void aServiceAccountTokenIsNotAUserAccount() {
        // a real client_credentials token of the realm's service client: valid, audience continuum-api, no sid
        String service = Tokens.serviceToken();
        given().auth().oauth2(service).contentType(ContentType.JSON)
                .body(device(newId(), "web", "x")).post("/api/auth/devices").then().statusCode(403)
                .contentType("application/problem+json")
                .body("type", equalTo("https://continuum.dev/problems/user-token-required"));
        given().auth().oauth2(service).get("/api/auth/devices").then().statusCode(403)
                .contentType("application/problem+json");
        given().auth().oauth2(service).post("/api/auth/logout-everywhere").then().statusCode(403);
        given().auth().oauth2(service).get("/api/auth/whoami").then().statusCode(403);
    }

    @Test
    void registrationsAreRateLimitedPerAccount() {
        TestUsers.User busy = TestUsers.create("busy");
        try {
            String token = busy.signIn().accessToken();
            String id = newId();
            int limit = 10; // %test.continuum.auth.registration.limit
            for (int i = 0; i < limit; i++) {
                given().auth().oauth2(token).contentType(ContentType.JSON).body(device(id, "web", "Browser"))
                        .post("/api/auth/devices").then().statusCode(i == 0 ? 201 : 200);
            }
            given().auth().oauth2(token).contentType(ContentType.JSON).body(device(id, "web", "Browser"))
                    .post("/api/auth/devices").then().statusCode(429)
                    .contentType("application/problem+json").body("retryAfterSeconds", notNullValue());
            // another account is not affected
            given().auth().oauth2(ben.signIn().accessToken()).contentType(ContentType.JSON)
                    .body(device(newId(), "web", "Browser")).post("/api/auth/devices").then().statusCode(201);
        } finally {
            busy.delete();
        }
    }

    @Test
    void withoutATokenEverythingIs401() {
        given().get("/api/auth/devices").then().statusCode(401);
        given().contentType(ContentType.JSON).body(device(newId(), "phone", "x")).post("/api/auth/devices").then().statusCode(401);
        given().delete("/api/auth/devices/x").then().statusCode(401);
        given().post("/api/auth/logout-everywhere").then().statusCode(401);
    }
}
