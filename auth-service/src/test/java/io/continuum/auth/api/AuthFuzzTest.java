package io.continuum.auth.api;

import static io.restassured.RestAssured.given;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.continuum.testing.LocalStackResource;
import io.continuum.testing.ThrowAwayUsers;
import io.continuum.testing.Tokens;
import io.continuum.testing.fuzz.Fuzz;
import io.continuum.testing.fuzz.HostileBodies;
import io.continuum.testing.fuzz.HttpFuzz;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 8: hostile bodies, paths and queries (libs/testing fuzz) on auth-service's device endpoints. Each answer:
 * below 500, problem+json when 4xx, under a second; a rejected one leaves the account's devices as they were (the
 * device is never renamed or revoked by a bad request).
 */
@QuarkusTest
@QuarkusTestResource(LocalStackResource.class)
class AuthFuzzTest {

    @RegisterExtension
    static final ThrowAwayUsers USERS = new ThrowAwayUsers("fuzz-reg", "fuzz-ren", "fuzz-rev");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String deviceId = "fz-" + UUID.randomUUID().toString().substring(0, 8);
    private Tokens.TokenSet session;
    private Map<String, String> headers;

    /**
     * One account per scenario: fuzzing the registration may register devices, and auth-service's per-account
     * registration limit must not make another scenario's own registration a 429.
     */
    @BeforeEach
    void signIn(TestInfo test) {
        String method = test.getTestMethod().orElseThrow().getName();
        String user = method.startsWith("register") ? "fuzz-reg" : method.startsWith("rename") ? "fuzz-ren" : "fuzz-rev";
        session = USERS.get(user).signIn();
        headers = Map.of("Authorization", "Bearer " + session.accessToken(), "X-Device-Id", deviceId);
    }

    private void register() {
        given().auth().oauth2(session.accessToken()).contentType(ContentType.JSON)
                .body(Map.of("deviceId", deviceId, "kind", "phone", "platform", "ios", "displayName", "Fuzz phone"))
                .post("/api/auth/devices").then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
    }

    /** The account's devices without what changes on its own (presence, last seen). */
    private Supplier<Object> devices() {
        return () -> {
            try {
                ArrayNode list = (ArrayNode) JSON.readTree(given().auth().oauth2(session.accessToken())
                        .get("/api/auth/devices").then().statusCode(200).extract().asString());
                list.forEach(d -> ((ObjectNode) d).remove(java.util.List.of("lastSeenAt", "online")));
                return list.toString();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    @Test
    void registerDevice() {
        register();
        String valid = "{\"deviceId\":\"" + deviceId + "\",\"kind\":\"phone\",\"platform\":\"ios\",\"displayName\":\"Fuzz phone\"}";
        Fuzz.check("POST /api/auth/devices", HostileBodies.of(valid, 3L, 30),
                HttpFuzz.sender(HttpFuzz.quarkusTestUrl(), headers, "POST", "/api/auth/devices"), devices());
    }

    @Test
    void renameDevice() {
        register();
        Fuzz.check("PATCH /api/auth/devices/{id}", HostileBodies.of("{\"displayName\":\"Renamed\"}", 3L, 30),
                HttpFuzz.sender(HttpFuzz.quarkusTestUrl(), headers, "PATCH", "/api/auth/devices/" + deviceId), devices());
    }

    @Test
    void revokeWithHostileReasonsNeverRevokes() {
        register();
        String d = "/api/auth/devices/" + deviceId;
        Fuzz.check("DELETE /api/auth/devices/{id}?reason=", HttpFuzz.paths(
                        d + "?reason=", d + "?reason=%00", d + "?reason=lost%00", d + "?reason=LOST", d + "?reason=lost%0a",
                        d + "?reason=" + "x".repeat(5000), d + "?reason=lost&reason=", d + "?reason=%ff",
                        "/api/auth/devices/a%00b?reason=lost", "/api/auth/devices/" + "x".repeat(3000) + "?reason=lost"),
                HttpFuzz.pathSender(HttpFuzz.quarkusTestUrl(), headers, "DELETE"), devices());
        Fuzz.check("GET /api/auth/** (paths)", HttpFuzz.paths("/api/auth/devices/a%00b", "/api/auth/devices/%e2%80%ae",
                        "/api/auth/logout-everywhere", "/api/auth/nothing"),
                HttpFuzz.pathSender(HttpFuzz.quarkusTestUrl(), headers, "GET"), devices());
    }

}
