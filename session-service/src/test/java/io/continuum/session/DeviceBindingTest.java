package io.continuum.session;

import static io.continuum.session.Ops.grant;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.continuum.testing.DeviceRegistrations;
import io.continuum.testing.LocalStackResource;
import io.continuum.testing.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Writes come from a device registered to the account and bound to the token's session (issue 8); a service
 * account's token is no user. Real Keycloak tokens; registrations are real {@code device-registered} events on the
 * shared {@code auth.events}.
 */
@QuarkusTest
@QuarkusTestResource(LocalStackResource.class)
class DeviceBindingTest {

    static String run() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    static Map<String, Object> batch(String opId) {
        return Map.of("ops", List.of(grant(opId, "apple", 1)));
    }

    @Test
    void aWriteFromAnUnregisteredDeviceIsRefusedWithAProblemThatSaysRegister() {
        Tokens.TokenSet alice = Tokens.signIn("alice", "alice");
        given().auth().oauth2(alice.accessToken()).header("X-Device-Id", "never-registered-" + run())
                .contentType(ContentType.JSON).body(batch("u-" + run())).post("/api/state/ops").then()
                .statusCode(403).contentType("application/problem+json")
                .body("type", equalTo("https://continuum.dev/problems/device-not-registered"))
                .body("errors[0].field", equalTo("X-Device-Id"));
        given().auth().oauth2(alice.accessToken()).header("X-Device-Id", "never-registered-" + run())
                .header("If-Match", "0").contentType(ContentType.JSON).body(Map.of("theme", "dark"))
                .put("/api/state/preferences").then().statusCode(403);
    }

    @Test
    void aDeviceThatRegistersAndWritesAtOnceIsAcceptedAndOnlyWithItsOwnSession() {
        Tokens.TokenSet phone = Tokens.signIn("bob", "bob");
        Tokens.TokenSet laptop = Tokens.signIn("bob", "bob");
        String phoneId = "phone-" + run();
        DeviceRegistrations.register(phone, phoneId);
        // no wait: the write may reach the service before the registration event does
        given().auth().oauth2(phone.accessToken()).header("X-Device-Id", phoneId)
                .contentType(ContentType.JSON).body(batch("r-" + run())).post("/api/state/ops").then()
                .statusCode(200).body("results[0].status", equalTo("applied"));
        // another sign-in of the same account naming the phone's id
        given().auth().oauth2(laptop.accessToken()).header("X-Device-Id", phoneId)
                .contentType(ContentType.JSON).body(batch("l-" + run())).post("/api/state/ops").then()
                .statusCode(403);
    }

    @Test
    void aServiceAccountTokenIsNotAUserAccount() {
        String service = Tokens.serviceToken();
        given().auth().oauth2(service).get("/api/state/snapshot").then()
                .statusCode(403).contentType("application/problem+json")
                .body("type", equalTo("https://continuum.dev/problems/user-token-required"));
        given().auth().oauth2(service).header("X-Device-Id", "svc").contentType(ContentType.JSON)
                .body(batch("s-" + run())).post("/api/state/ops").then().statusCode(403);
    }

    @Test
    void a401IsAProblemWithTheBearerChallenge() {
        given().auth().oauth2("not-a-jwt").get("/api/state/snapshot").then()
                .statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
        given().get("/api/state/snapshot").then()
                .statusCode(401).contentType("application/problem+json");
    }
}
