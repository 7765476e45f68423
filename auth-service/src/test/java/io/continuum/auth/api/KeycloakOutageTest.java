package io.continuum.auth.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.continuum.events.EventTypes;
import io.continuum.events.Topics;
import io.continuum.platform.revocation.RevokedSessions;
import io.continuum.testing.EventReader;
import io.continuum.testing.LocalStackResource;
import io.continuum.testing.TestUsers;
import io.continuum.testing.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Keycloak unreachable during a revocation. The shared Keycloak keeps running; this instance reaches its admin API
 * through a {@link io.continuum.testing.TcpProxy} that the test cuts and restores. The revocation must bite at
 * once, its Keycloak job must be retried until Keycloak is back, and only then may the session be forgotten.
 */
@QuarkusTest
@QuarkusTestResource(LocalStackResource.class)
@QuarkusTestResource(value = KeycloakProxyResource.class, restrictToAnnotatedClass = true)
class KeycloakOutageTest {

    @Inject
    DataSource db;
    @Inject
    RevokedSessions revoked;

    TestUsers.User user;
    String tvRefresh;

    @BeforeEach
    void user() {
        user = TestUsers.create("kcout");
        KeycloakProxyResource.proxy().restore();
    }

    @AfterEach
    void cleanUp() {
        KeycloakProxyResource.proxy().restore();
        user.delete();
    }

    record Job(int attempts, boolean done, String lastError) {
    }

    Job job(String accountId) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "select attempts, done_at is not null, last_error from keycloak_job where account_id = ? order by id desc limit 1")) {
            s.setString(1, accountId);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? new Job(r.getInt(1), r.getBoolean(2), r.getString(3)) : null;
            }
        }
    }

    String register(Tokens.TokenSet t, String kind) {
        String id = kind + "-" + UUID.randomUUID();
        given().auth().oauth2(t.accessToken()).contentType(ContentType.JSON)
                .body(Map.of("deviceId", id, "kind", kind, "platform", "test", "displayName", kind))
                .post("/api/auth/devices").then().statusCode(201);
        return id;
    }

    @Test
    void aRevocationDuringAKeycloakOutageIsRetriedUntilKeycloakConfirms() throws Exception {
        RevocationFlowTest.OfflineSignIn tv = RevocationFlowTest.offlineSignIn(user);
        String tvId = register(tv.tokens(), "tv");
        Tokens.TokenSet phone = user.signIn();
        String phoneId = register(phone, "phone");
        String sid = tv.tokens().sessionId();

        try (EventReader events = new EventReader(Topics.AUTH_EVENTS)) {
            KeycloakProxyResource.proxy().cut();
            // the revocation is accepted and bites at once, although Keycloak cannot be told
            given().auth().oauth2(phone.accessToken()).header("X-Device-Id", phoneId)
                    .delete("/api/auth/devices/" + tvId + "?reason=stolen").then().statusCode(204);
            given().auth().oauth2(tv.tokens().accessToken()).get("/api/auth/whoami").then().statusCode(401)
                    .body("type", equalTo("https://continuum.dev/problems/session-revoked"));

            // the job is retried while Keycloak is unreachable; Keycloak still has the session (its offline token
            // could refresh), so the session stays refused here however long that lasts
            await().atMost(Duration.ofSeconds(20)).until(() -> job(user.id()).attempts() >= 3);
            // operators see the failing admin calls
            assertThat(given().get("/q/metrics").then().statusCode(200).extract().asString())
                    .containsPattern("(?m)^continuum_auth_keycloak_admin_seconds_count\\{(?=[^}]*operation=\"delete-session\")"
                            + "(?=[^}]*outcome=\"failure\")[^}]*} [1-9]");
            Job failing = job(user.id());
            assertThat(failing.done()).isFalse();
            assertThat(failing.lastError()).isNotBlank();
            // the danger: Keycloak still honours the TV's offline token and mints a fresh access token...
            Tokens.TokenSet refreshed = Tokens.refresh(tv.tokens().refreshToken());
            // ...which every service refuses as long as Keycloak has not confirmed the end of the session
            given().auth().oauth2(refreshed.accessToken()).get("/api/auth/whoami").then().statusCode(401);
            assertThat(revoked.isRevoked(sid)).isTrue();
            tvRefresh = refreshed.refreshToken();
            assertThat(revoked.pending()).isPositive();

            KeycloakProxyResource.proxy().restore();
            await().atMost(Duration.ofSeconds(20)).until(() -> job(user.id()).done());
            assertThat(given().get("/q/metrics").then().statusCode(200).extract().asString())
                    .containsPattern("(?m)^continuum_auth_keycloak_admin_seconds_count\\{(?=[^}]*operation=\"delete-session\")"
                            + "(?=[^}]*outcome=\"success\")[^}]*} [1-9]");

            var confirmed = events.await(e -> EventTypes.REVOCATION_CONFIRMED.type().equals(e.type())
                    && user.id().equals(e.subject()), 1, Duration.ofSeconds(10));
            assertThat(confirmed.get(0).event().dataAs(EventTypes.REVOCATION_CONFIRMED).orElseThrow().sessionIds())
                    .containsExactly(sid);
        }
        // Keycloak ended the session and its offline twin: the TV's offline token is dead
        String lastRefresh = tvRefresh;
        assertThatThrownBy(() -> Tokens.refresh(lastRefresh)).isInstanceOf(Tokens.TokenRefused.class);
        assertThat(revoked.isRevoked(sid)).as("still refused for the access-token lifetime after the confirmation").isTrue();
        // the other device is untouched
        assertThat(Tokens.refresh(phone.refreshToken()).accessToken()).isNotBlank();
    }

    @Test
    void logOutEverywhereDuringAKeycloakOutageEndsEverySessionOnceKeycloakIsBack() throws Exception {
        Tokens.TokenSet web = user.signIn();
        register(web, "web");
        RevocationFlowTest.OfflineSignIn console = RevocationFlowTest.offlineSignIn(user);
        register(console.tokens(), "console");

        KeycloakProxyResource.proxy().cut();
        given().auth().oauth2(web.accessToken()).post("/api/auth/logout-everywhere").then().statusCode(200)
                .body("endedSessions", equalTo(2));
        for (Tokens.TokenSet t : List.of(web, console.tokens())) {
            given().auth().oauth2(t.accessToken()).get("/api/auth/whoami").then().statusCode(401);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> job(user.id()).attempts() >= 2);
        assertThat(job(user.id()).done()).isFalse();

        KeycloakProxyResource.proxy().restore();
        await().atMost(Duration.ofSeconds(20)).until(() -> job(user.id()).done());
        assertThatThrownBy(() -> Tokens.refresh(console.tokens().refreshToken())).isInstanceOf(Tokens.TokenRefused.class);
        assertThatThrownBy(() -> Tokens.refresh(web.refreshToken())).isInstanceOf(Tokens.TokenRefused.class);
        assertThat(TestUsers.sessions(user.id())).isEmpty();
    }
}
