package io.continuum.e2e.auth;

import io.continuum.testing.TestUsers;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.continuum.events.EventTypes;
import io.continuum.events.Topics;
import io.continuum.events.auth.SessionEnded;
import io.continuum.testing.EventReader;
import io.continuum.testing.LocalStack;
import io.continuum.testing.Tokens;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Universal auth state through the gateway: revocation bites in other services; logouts done in Keycloak arrive. */
class AuthE2ETest {

    TestUsers.User user;

    @BeforeAll
    static void stack() {
        LocalStack.ensureFullStack();
    }

    @BeforeEach
    void user() {
        user = TestUsers.create("e2e-auth");
    }

    @AfterEach
    void cleanUp() {
        user.delete();
    }

    static RequestSpecification gateway(String token) {
        return given().baseUri(LocalStack.GATEWAY_URL).auth().oauth2(token);
    }

    static String register(Tokens.TokenSet t, String kind) {
        String id = kind + "-" + UUID.randomUUID();
        gateway(t.accessToken()).contentType(ContentType.JSON)
                .body(Map.of("deviceId", id, "kind", kind, "platform", "e2e", "displayName", kind))
                .post("/api/auth/devices").then().statusCode(201);
        return id;
    }

    @Test
    void aRevokedDevicesValidTokenIsRefusedByOtherServicesWithinOneSecond() {
        Tokens.TokenSet phone = user.signIn();
        String phoneId = register(phone, "phone");
        Tokens.TokenSet laptop = user.signIn();
        register(laptop, "desktop");
        for (String area : new String[] {"state", "notifications", "billing", "recommendations"}) {
            gateway(phone.accessToken()).get("/api/" + area + "/whoami").then().statusCode(200);
        }

        gateway(laptop.accessToken()).delete("/api/auth/devices/" + phoneId).then().statusCode(204);
        long revokedAt = System.nanoTime();

        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10)).untilAsserted(() ->
                gateway(phone.accessToken()).get("/api/state/whoami").then().statusCode(401));
        long millis = (System.nanoTime() - revokedAt) / 1_000_000;
        System.out.printf("revocation refused by session-service after %d ms%n", millis);
        // every other service refuses it too, with the same problem+json
        for (String area : new String[] {"notifications", "billing", "recommendations"}) {
            await().atMost(Duration.ofSeconds(1)).untilAsserted(() ->
                    gateway(phone.accessToken()).get("/api/" + area + "/whoami").then().statusCode(401)
                            .contentType("application/problem+json"));
        }
        // the other device keeps working everywhere
        gateway(laptop.accessToken()).get("/api/state/whoami").then().statusCode(200);
        assertThatThrownBy(() -> Tokens.refresh(phone.refreshToken())).isInstanceOf(Tokens.TokenRefused.class);
    }

    @Test
    void aLogoutDoneInKeycloakReachesEveryService() {
        Tokens.TokenSet tv = user.signIn();
        String tvId = register(tv, "tv");
        gateway(tv.accessToken()).get("/api/state/whoami").then().statusCode(200);

        try (EventReader events = new EventReader(Topics.AUTH_EVENTS)) {
            // an administrator ends the session in Keycloak (as in the admin console); Keycloak itself then calls
            // auth-service's back-channel logout endpoint with a signed logout token
            assertThat(TestUsers.endSession(tv.sessionId())).isEqualTo(204);
            var ended = events.await(e -> EventTypes.SESSION_ENDED.type().equals(e.type())
                    && tv.subject().equals(e.subject()), 1, Duration.ofSeconds(10));
            assertThat(ended).hasSize(1);
            assertThat(ended.get(0).event().dataAs(EventTypes.SESSION_ENDED))
                    .contains(new SessionEnded(tv.sessionId(), tvId, "backchannel-logout"));
        }
        await().atMost(Duration.ofSeconds(1)).untilAsserted(() ->
                gateway(tv.accessToken()).get("/api/state/whoami").then().statusCode(401));
        assertThatThrownBy(() -> Tokens.refresh(tv.refreshToken())).isInstanceOf(Tokens.TokenRefused.class);
    }

    @Test
    void logoutEverywhereEndsEverySessionsRefresh() {
        Tokens.TokenSet a = user.signIn();
        register(a, "phone");
        Tokens.TokenSet b = user.signIn();
        register(b, "web");
        Tokens.TokenSet c = user.signIn();

        gateway(a.accessToken()).post("/api/auth/logout-everywhere").then().statusCode(200);

        for (Tokens.TokenSet t : new Tokens.TokenSet[] {a, b, c}) {
            assertThatThrownBy(() -> Tokens.refresh(t.refreshToken())).isInstanceOf(Tokens.TokenRefused.class);
            await().atMost(Duration.ofSeconds(1)).untilAsserted(() ->
                    gateway(t.accessToken()).get("/api/state/whoami").then().statusCode(401));
        }
    }
}
