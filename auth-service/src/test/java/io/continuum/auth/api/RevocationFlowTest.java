package io.continuum.auth.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continuum.testing.TestUsers;
import io.continuum.events.EventTypes;
import io.continuum.events.Topics;
import io.continuum.events.auth.DeviceRevoked;
import io.continuum.events.auth.SignedOutEverywhere;
import io.continuum.testing.EventReader;
import io.continuum.testing.LocalStackResource;
import io.continuum.testing.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Revoke one device; log out everywhere (with and without the calling device). Keycloak really ends the sessions. */
@QuarkusTest
@QuarkusTestResource(LocalStackResource.class)
class RevocationFlowTest {

    TestUsers.User user;

    @BeforeEach
    void user() {
        user = TestUsers.create("rev");
    }

    @AfterEach
    void cleanUp() {
        user.delete();
    }

    String register(Tokens.TokenSet t, String kind) {
        String id = kind + "-" + UUID.randomUUID();
        given().auth().oauth2(t.accessToken()).contentType(ContentType.JSON)
                .body(Map.of("deviceId", id, "kind", kind, "platform", "test", "displayName", kind))
                .post("/api/auth/devices").then().statusCode(201);
        return id;
    }

    @Test
    void revokingADeviceEndsItsSessionAndOfflineTokenAndPublishesTheEvent() throws Exception {
        OfflineSignIn phone = offlineSignIn(user);
        String phoneId = register(phone.tokens(), "phone");
        Tokens.TokenSet laptop = user.signIn();
        String laptopId = register(laptop, "desktop");

        try (EventReader events = new EventReader(Topics.AUTH_EVENTS)) {
            given().auth().oauth2(laptop.accessToken()).header("X-Device-Id", laptopId)
                    .delete("/api/auth/devices/" + phoneId + "?reason=lost").then().statusCode(204);
            // refused by this service at once, although the access token is still valid for minutes
            given().auth().oauth2(phone.tokens().accessToken()).get("/api/auth/whoami").then().statusCode(401)
                    .contentType("application/problem+json");

            var revoked = events.await(e -> EventTypes.DEVICE_REVOKED.type().equals(e.type())
                    && laptop.subject().equals(e.subject()), 1, Duration.ofSeconds(5));
            assertThat(revoked).hasSize(1);
            assertThat(revoked.get(0).event().deviceid()).isEqualTo(laptopId);
            assertThat(revoked.get(0).event().dataAs(EventTypes.DEVICE_REVOKED))
                    .contains(new DeviceRevoked(phoneId, java.util.List.of(phone.tokens().sessionId()), "lost"));
        }
        // Keycloak ended the session and the offline session: neither refresh nor offline token work any more
        assertThatThrownBy(() -> Tokens.refresh(phone.tokens().refreshToken())).isInstanceOf(Tokens.TokenRefused.class);
        assertThat(phone.offline()).isTrue();
        // the other device is untouched
        given().auth().oauth2(laptop.accessToken()).get("/api/auth/whoami").then().statusCode(200);
        assertThat(Tokens.refresh(laptop.refreshToken()).accessToken()).isNotBlank();
        given().auth().oauth2(laptop.accessToken()).get("/api/auth/devices").then().statusCode(200)
                .body("deviceId", not(hasItem(phoneId))).body("deviceId", hasItem(laptopId));
        given().auth().oauth2(laptop.accessToken()).get("/api/auth/devices/" + phoneId).then().statusCode(404);
        // repeating the revocation is harmless
        given().auth().oauth2(laptop.accessToken()).delete("/api/auth/devices/" + phoneId).then().statusCode(204);
    }

    @Test
    void logoutEverywhereExceptThisDeviceKeepsOnlyTheCaller() {
        Tokens.TokenSet tv = user.signIn();
        register(tv, "tv");
        Tokens.TokenSet phone = user.signIn();
        register(phone, "phone");
        Tokens.TokenSet unregistered = user.signIn(); // a session that never registered a device is ended too

        try (EventReader events = new EventReader(Topics.AUTH_EVENTS)) {
            given().auth().oauth2(phone.accessToken())
                    .post("/api/auth/logout-everywhere?exceptThisDevice=true").then().statusCode(200)
                    .body("endedSessions", equalTo(2));
            var out = events.await(e -> EventTypes.SIGNED_OUT_EVERYWHERE.type().equals(e.type())
                    && phone.subject().equals(e.subject()), 1, Duration.ofSeconds(5));
            assertThat(out).hasSize(1);
            SignedOutEverywhere data = out.get(0).event().dataAs(EventTypes.SIGNED_OUT_EVERYWHERE).orElseThrow();
            assertThat(data.sessionIds()).containsExactlyInAnyOrder(tv.sessionId(), unregistered.sessionId());
            assertThat(data.exceptSessionId()).isEqualTo(phone.sessionId());
        }
        assertThatThrownBy(() -> Tokens.refresh(tv.refreshToken())).isInstanceOf(Tokens.TokenRefused.class);
        assertThatThrownBy(() -> Tokens.refresh(unregistered.refreshToken())).isInstanceOf(Tokens.TokenRefused.class);
        given().auth().oauth2(tv.accessToken()).get("/api/auth/whoami").then().statusCode(401);
        assertThat(Tokens.refresh(phone.refreshToken()).accessToken()).isNotBlank();
        given().auth().oauth2(phone.accessToken()).get("/api/auth/whoami").then().statusCode(200);
    }

    @Test
    void logoutEverywhereEndsEverySessionAndEveryOfflineToken() throws Exception {
        Tokens.TokenSet a = user.signIn();
        register(a, "web");
        OfflineSignIn console = offlineSignIn(user);
        register(console.tokens(), "console");

        given().auth().oauth2(a.accessToken()).post("/api/auth/logout-everywhere").then().statusCode(200)
                .body("exceptThisDevice", equalTo(false));

        assertThatThrownBy(() -> Tokens.refresh(a.refreshToken())).isInstanceOf(Tokens.TokenRefused.class);
        assertThat(console.offline()).isTrue();
        assertThatThrownBy(() -> Tokens.refresh(console.tokens().refreshToken())).isInstanceOf(Tokens.TokenRefused.class);
        given().auth().oauth2(a.accessToken()).get("/api/auth/whoami").then().statusCode(401);
        given().auth().oauth2(console.tokens().accessToken()).get("/api/auth/whoami").then().statusCode(401);
        assertThat(TestUsers.sessions(user.id())).isEmpty();
    }

    /** A sign-in that asked for an offline token (scope offline_access), as a TV or console app does. */
    record OfflineSignIn(Tokens.TokenSet tokens) {
        boolean offline() throws Exception {
            return "Offline".equals(Tokens.claims(tokens.refreshToken()).path("typ").asText());
        }
    }

    static OfflineSignIn offlineSignIn(TestUsers.User user) throws Exception {
        String form = "grant_type=password&client_id=continuum-app&scope=" + URLEncoder.encode("openid offline_access", StandardCharsets.UTF_8)
                + "&username=" + URLEncoder.encode(user.username(), StandardCharsets.UTF_8)
                + "&password=" + URLEncoder.encode(user.password(), StandardCharsets.UTF_8);
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(Tokens.tokenEndpoint()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = new ObjectMapper().readTree(r.body());
        String access = body.path("access_token").asText();
        JsonNode claims = Tokens.claims(access);
        return new OfflineSignIn(new Tokens.TokenSet(access, body.path("refresh_token").asText(),
                claims.path("sid").asText(), claims.path("sub").asText()));
    }
}
