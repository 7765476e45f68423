package io.continuum.auth.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.continuum.testing.TestUsers;
import io.continuum.events.EventTypes;
import io.continuum.events.Topics;
import io.continuum.events.auth.SessionEnded;
import io.continuum.testing.EventReader;
import io.continuum.testing.LocalStackResource;
import io.continuum.testing.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The back-channel logout endpoint checks everything the spec asks of a logout token. */
@QuarkusTest
@QuarkusTestResource(LocalStackResource.class)
@QuarkusTestResource(value = FakeIssuer.class, restrictToAnnotatedClass = true)
class BackchannelLogoutTest {

    static TestUsers.User user;

    @BeforeAll
    static void createUser() {
        user = TestUsers.create("bcl");
    }

    @AfterAll
    static void deleteUser() {
        user.delete();
    }

    static JwtClaims claims(String sub, String sid) {
        JwtClaims c = new JwtClaims();
        c.setIssuer(System.getProperty(FakeIssuer.ISSUER_PROPERTY));
        c.setAudience("continuum-app");
        c.setIssuedAtToNow();
        c.setExpirationTimeMinutesInTheFuture(2);
        c.setJwtId(UUID.randomUUID().toString());
        if (sub != null) {
            c.setSubject(sub);
        }
        if (sid != null) {
            c.setStringClaim("sid", sid);
        }
        c.setClaim("typ", "Logout");
        c.setClaim("events", Map.of("http://schemas.openid.net/event/backchannel-logout", Map.of()));
        return c;
    }

    static String sign(JwtClaims claims, JsonWebKey key) throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(((RsaJsonWebKey) key).getPrivateKey());
        jws.setKeyIdHeaderValue(key.getKeyId());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setHeader("typ", "logout+jwt");
        return jws.getCompactSerialization();
    }

    static JsonWebKey issuerKey() throws Exception {
        return JsonWebKey.Factory.newJwk(System.getProperty(FakeIssuer.KEY_PROPERTY));
    }

    static String signed(JwtClaims claims) throws Exception {
        return sign(claims, issuerKey());
    }

    static io.restassured.response.ValidatableResponse post(String token) {
        var request = given().contentType(ContentType.URLENC);
        if (token != null) {
            request = request.formParam("logout_token", token);
        }
        return request.post("/api/auth/backchannel-logout").then();
    }

    @Test
    void aValidLogoutTokenEndsTheSessionEverywhereOnce() throws Exception {
        Tokens.TokenSet tv = user.signIn();
        String tvId = "tv-" + UUID.randomUUID();
        given().auth().oauth2(tv.accessToken()).contentType(ContentType.JSON)
                .body(Map.of("deviceId", tvId, "kind", "tv", "platform", "tizen", "displayName", "TV"))
                .post("/api/auth/devices").then().statusCode(201);
        String token = signed(claims(tv.subject(), tv.sessionId()));

        try (EventReader events = new EventReader(Topics.AUTH_EVENTS)) {
            post(token).statusCode(200).header("Cache-Control", "no-store");
            var ended = events.await(e -> EventTypes.SESSION_ENDED.type().equals(e.type())
                    && tv.subject().equals(e.subject()), 1, Duration.ofSeconds(5));
            assertThat(ended).hasSize(1);
            assertThat(ended.get(0).event().dataAs(EventTypes.SESSION_ENDED))
                    .contains(new SessionEnded(tv.sessionId(), tvId, "backchannel-logout"));
        }
        given().auth().oauth2(tv.accessToken()).get("/api/auth/whoami").then().statusCode(401);
        // a replay of the same token is refused
        post(token).statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("logout_token"));
        // a second logout of the same (already ended) session is accepted but says nothing new
        try (EventReader events = new EventReader(Topics.AUTH_EVENTS)) {
            post(signed(claims(tv.subject(), tv.sessionId()))).statusCode(200);
            assertThat(events.await(e -> tv.subject().equals(e.subject()), 1, Duration.ofSeconds(2))).isEmpty();
        }
    }

    @Test
    void aSessionWithoutDeviceStillEndsEverywhere() throws Exception {
        Tokens.TokenSet web = user.signIn();
        try (EventReader events = new EventReader(Topics.AUTH_EVENTS)) {
            post(signed(claims(web.subject(), web.sessionId()))).statusCode(200);
            var ended = events.await(e -> EventTypes.SESSION_ENDED.type().equals(e.type())
                    && web.subject().equals(e.subject()), 1, Duration.ofSeconds(5));
            assertThat(ended).hasSize(1);
            assertThat(ended.get(0).event().dataAs(EventTypes.SESSION_ENDED))
                    .contains(new SessionEnded(web.sessionId(), null, "backchannel-logout"));
        }
        given().auth().oauth2(web.accessToken()).get("/api/auth/whoami").then().statusCode(401);
    }

    @Test
    void everyMalformedOrForeignLogoutTokenIs400NamingTheField() throws Exception {
        String sub = UUID.randomUUID().toString();
        String sid = UUID.randomUUID().toString();
        List<Consumer<JwtClaims>> breakages = List.of(
                c -> c.setIssuer("http://elsewhere/realms/continuum"),
                c -> c.setAudience("another-client"),
                c -> c.setIssuedAtToNow(),                     // placeholder replaced below for age
                c -> c.unsetClaim("events"),
                c -> c.setClaim("events", Map.of("http://schemas.openid.net/event/other", Map.of())),
                c -> c.setClaim("nonce", "n-1"),
                c -> { c.unsetClaim("sid"); c.unsetClaim("sub"); },
                c -> c.unsetClaim("jti"),
                c -> c.unsetClaim("iat"));
        for (int i = 0; i < breakages.size(); i++) {
            JwtClaims c = claims(sub, sid);
            if (i == 2) {
                c.setIssuedAt(org.jose4j.jwt.NumericDate.fromSeconds(System.currentTimeMillis() / 1000 - 3600));
                c.setExpirationTimeMinutesInTheFuture(2);
            } else {
                breakages.get(i).accept(c);
            }
            post(signed(c)).statusCode(400).contentType("application/problem+json")
                    .body("errors[0].field", equalTo("logout_token"))
                    .body("detail", equalTo("the logout token is not valid"));
        }
        // signed by a key that is not the issuer's
        JsonWebKey foreign = RsaJwkGenerator.generateJwk(2048);
        foreign.setKeyId(issuerKey().getKeyId());
        post(sign(claims(sub, sid), foreign)).statusCode(400);
        // alg none
        String none = b64("{\"alg\":\"none\",\"typ\":\"logout+jwt\"}") + "." + b64(claims(sub, sid).toJson()) + ".";
        post(none).statusCode(400);
        // tampered payload under a valid signature
        String[] parts = signed(claims(sub, sid)).split("\\.");
        JwtClaims other = claims(UUID.randomUUID().toString(), sid);
        post(parts[0] + "." + b64(other.toJson()) + "." + parts[2]).statusCode(400);
        post("garbage").statusCode(400);
        post(null).statusCode(400).body("errors[0].field", equalTo("logout_token"));
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void aMalformedEscapeIsAnsweredAtOnceWith400() {
        long start = System.nanoTime();
        // before the fix the request never got an answer: a socket timeout turns that hang into a failure
        given().config(io.restassured.RestAssured.config().httpClient(io.restassured.config.HttpClientConfig.httpClientConfig()
                        .setParam("http.socket.timeout", 10_000)))
                .contentType("application/x-www-form-urlencoded").body("logout_token=%zz%")
                .post("/api/auth/backchannel-logout").then()
                .statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("logout_token"));
        org.assertj.core.api.Assertions.assertThat(java.time.Duration.ofNanos(System.nanoTime() - start))
                .isLessThan(java.time.Duration.ofSeconds(5)); // "at once"; generous for a loaded 2-core CI machine
    }

    @Test
    void aHugeLogoutTokenIs413NotA500() {
        String huge = "logout_token=" + "a".repeat(1024 * 1024);
        given().contentType("application/x-www-form-urlencoded").body(huge)
                .post("/api/auth/backchannel-logout").then()
                .statusCode(413).contentType("application/problem+json")
                .body("errors[0].field", equalTo("logout_token"));
    }
}
